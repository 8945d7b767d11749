import { Type } from 'typebox';
import type { ProtocolRegistration } from '../../../services/notices/ports.js';
import { protocolLabel } from '../../../services/notices/protocol-register.js';
import { DateTime, IsoDate, Nullable } from '../../common.schemas.js';

export const AooParams = Type.Object({ aoo: Type.String({ pattern: '^[A-Za-z0-9_]{1,16}$' }) });

export const RegistrationView = Type.Object({
  id: Type.String(),
  label: Type.String(),
  number: Type.Integer(),
  year: Type.Integer(),
  register: Type.String(),
  direction: Type.String(),
  registeredAt: DateTime,
  subject: Type.String(),
  correspondents: Type.Array(Type.Object({ name: Type.String(), address: Type.String() })),
  document: Type.Object({ name: Type.String(), sha256: Type.String() }),
  annulment: Nullable(
    Type.Object({
      annulledAt: DateTime,
      operator: Type.String(),
      measure: Type.String(),
      reason: Type.String(),
    }),
  ),
});

export const presentRegistration = (r: ProtocolRegistration) => ({
  id: r.id,
  label: protocolLabel(r.aooCode, r.number),
  number: r.number,
  year: r.year,
  register: r.registerCode,
  direction: r.direction,
  registeredAt: r.registeredAt.toISOString(),
  subject: r.subject,
  correspondents: r.correspondents,
  document: { name: r.documentName, sha256: r.documentSha256 },
  annulment: r.annulment
    ? {
        annulledAt: r.annulment.annulledAt.toISOString(),
        operator: r.annulment.operatorName,
        measure: r.annulment.measure,
        reason: r.annulment.reason,
      }
    : null,
});

export const RegistrationBody = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 1000 }),
    correspondents: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 300 }),
          address: Type.String({ minLength: 3, maxLength: 320 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10000 },
    ),
    document: Type.Object(
      {
        fileName: Type.String({ minLength: 5, maxLength: 204 }),
        contentBase64: Type.String({
          minLength: 8,
          maxLength: 14_000_000,
          contentEncoding: 'base64',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const AnnulmentBody = Type.Object(
  {
    measure: Type.String({ minLength: 1, maxLength: 500 }),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

export const DailyRegisterParams = Type.Object({
  aoo: Type.String({ pattern: '^[A-Za-z0-9_]{1,16}$' }),
  date: IsoDate,
});

export const DailyRegisterQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pdf')])) },
  { additionalProperties: false },
);
