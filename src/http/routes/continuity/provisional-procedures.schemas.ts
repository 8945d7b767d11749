import { Type } from 'typebox';
import { PENDING_CIG_WORDING } from '../../../domain/cig/cig.js';
import { formatDateIt, formatDateTimeIt } from '../../../domain/shared/dates.js';
import { formatAmount } from '../../../domain/shared/money.js';
import type { ProvisionalProcedure } from '../../../services/continuity/ports.js';
import { daysLeft } from '../../../services/continuity/provisional.js';
import type { RegularisationRecord } from '../../../services/continuity/regularise-procedure.js';
import { DateTime, IsoDate, Nullable } from '../../common.schemas.js';
import { LotBody } from '../tenders/tenders.schemas.js';

export const ProvisionalView = Type.Object({
  reference: Type.String(),
  wording: Type.String({ description: 'What to print in the tender documents' }),
  state: Type.Union([Type.Literal('pending'), Type.Literal('regularised')]),
  contractingAuthority: Type.Object({ id: Type.String(), name: Type.String() }),
  object: Type.String(),
  procedureType: Type.String(),
  urgencyReason: Type.String(),
  motivation: Type.String(),
  incident: Type.String(),
  registeredAt: DateTime,
  regularisationDeadline: Type.String(),
  daysLeft: Type.Integer(),
  regularisedAt: Nullable(DateTime),
  tenderNumber: Nullable(Type.String()),
  lots: Type.Array(
    Type.Object({
      lotNumber: Type.Integer(),
      object: Type.String(),
      amount: Type.String(),
      publicationDate: Nullable(Type.String()),
      invitationDate: Nullable(Type.String()),
      bidDeadline: DateTime,
      cig: Nullable(Type.String()),
    }),
  ),
});

/** A provisional procedure as the API shows it; `now` decides the days left to regularise it. */
export const presentProvisional = (p: ProvisionalProcedure, now: Date) => ({
  reference: p.reference,
  wording: `${PENDING_CIG_WORDING} (riferimento provvisorio ${p.reference})`,
  state: p.state,
  contractingAuthority: { id: p.contractingAuthorityId, name: p.contractingAuthorityName },
  object: p.object,
  procedureType: p.procedureTypeCode,
  urgencyReason: p.urgencyReasonCode,
  motivation: p.motivation,
  incident: p.incidentCode,
  registeredAt: p.registeredAt.toISOString(),
  regularisationDeadline: p.regularisationDeadline,
  daysLeft: daysLeft(p, now),
  regularisedAt: p.regularisedAt?.toISOString() ?? null,
  tenderNumber: p.tenderNumber === null ? null : String(p.tenderNumber),
  lots: p.lots.map((l) => ({
    lotNumber: l.lotNumber,
    object: l.object,
    amount: formatAmount(l.amountCents),
    publicationDate: l.publicationDate,
    invitationDate: l.invitationDate,
    bidDeadline: l.bidDeadline.toISOString(),
    cig: l.cig,
  })),
});

export const UrgentProcedureBody = Type.Object(
  {
    object: Type.String({ minLength: 1, maxLength: 1024 }),
    procedureType: Type.String({ pattern: '^[0-9]{1,3}$' }),
    sector: Type.Union([Type.Literal('ordinary'), Type.Literal('special')]),
    contractObject: Type.Union([Type.Literal('works'), Type.Literal('supplies'), Type.Literal('services')]),
    urgencyReason: Type.String({
      pattern: '^[0-9]{1,3}$',
      description: 'Code of the motivoUrgenza list',
    }),
    motivation: Type.String({ minLength: 10, maxLength: 4000 }),
    lots: Type.Array(
      Type.Object(
        {
          ...LotBody.properties,
          publicationDate: Type.Optional(IsoDate),
          invitationDate: Type.Optional(IsoDate),
          bidDeadline: DateTime,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);

export const ProvisionalListQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('regularised')])),
    overdue: Type.Optional(Type.Boolean()),
    regionalSection: Type.Optional(Type.String({ pattern: '^[A-Z]{2,3}$' })),
  },
  { additionalProperties: false },
);

export const RecordView = Type.Object({
  reference: Type.String(),
  tenderNumber: Type.String(),
  regularisedAt: DateTime,
  incident: Type.Object({
    code: Type.String(),
    title: Type.String(),
    startedAt: DateTime,
    resolvedAt: Nullable(DateTime),
  }),
  lots: Type.Array(
    Type.Object({
      lotNumber: Type.Integer(),
      cig: Type.String(),
      publicationDate: Nullable(Type.String()),
      invitationDate: Nullable(Type.String()),
      bidDeadline: DateTime,
      acquiredAt: DateTime,
      publicationInsideOutage: Type.Boolean(),
    }),
  ),
  text: Type.String({ description: 'The record in Italian, for the tender file' }),
});

export const presentRecord = (r: RegularisationRecord) => ({
  reference: r.reference,
  tenderNumber: String(r.tenderNumber),
  regularisedAt: r.regularisedAt.toISOString(),
  incident: {
    code: r.incident.code,
    title: r.incident.title,
    startedAt: r.incident.startedAt.toISOString(),
    resolvedAt: r.incident.resolvedAt?.toISOString() ?? null,
  },
  lots: r.lots.map((l) => ({
    ...l,
    bidDeadline: l.bidDeadline.toISOString(),
    acquiredAt: l.acquiredAt.toISOString(),
  })),
  text: recordText(r),
});

/** The regularisation record in Italian, for the tender file (dates dd/MM/yyyy, times HH:mm, Rome). */
function recordText(r: RegularisationRecord): string {
  const when = formatDateTimeIt;
  const lines = [
    `VERBALE DI REGOLARIZZAZIONE - riferimento provvisorio ${r.reference}`,
    '',
    `La procedura registrata con riferimento provvisorio ${r.reference} ("${PENDING_CIG_WORDING}") durante l'incidente ${r.incident.code} ` +
      `"${r.incident.title}" (dal ${when(r.incident.startedAt)}${r.incident.resolvedAt ? ` al ${when(r.incident.resolvedAt)}` : ', in corso'}) ` +
      `è stata regolarizzata il ${when(r.regularisedAt)} con la gara n. ${r.tenderNumber}.`,
    '',
    ...r.lots.map((l) => {
      const start = l.invitationDate
        ? `lettera di invito del ${formatDateIt(l.invitationDate)}`
        : `pubblicazione del ${formatDateIt(l.publicationDate ?? '')}`;
      return (
        `Lotto ${l.lotNumber}: CIG ${l.cig} acquisito il ${when(l.acquiredAt)}; ${start}` +
        `${l.publicationInsideOutage ? " (durante l'interruzione registrata: accettata)" : ''}; termine offerte ${when(l.bidDeadline)}.`
      );
    }),
  ];
  return lines.join('\n');
}
