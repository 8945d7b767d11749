import { Type } from 'typebox';
import { DateTime, Nullable } from '../../common.schemas.js';
import { ServiceCode } from './continuity.schemas.js';

export const IncidentState = Type.Union(
  ['investigating', 'identified', 'monitoring', 'resolved'].map((s) => Type.Literal(s)),
);
export const Impact = Type.Union(['degraded', 'partial_outage', 'major_outage'].map((s) => Type.Literal(s)));
export const IncidentCodeParams = Type.Object({ code: Type.String({ maxLength: 64 }) });

/** The view is built by `presentIncident` (services/continuity/status.ts), shared with the status page. */
export const IncidentView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  title: Type.String(),
  impact: Type.String(),
  state: Type.String(),
  services: Type.Array(Type.String()),
  startedAt: DateTime,
  resolvedAt: Nullable(DateTime),
  source: Type.String(),
  updates: Type.Array(Type.Object({ at: DateTime, state: Type.String(), message: Type.String() })),
});

export const OpenIncidentBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    impact: Impact,
    services: Type.Array(ServiceCode, { minItems: 1, maxItems: 6 }),
    startedAt: Type.Optional(DateTime),
    message: Type.String({
      minLength: 1,
      maxLength: 4000,
      description: 'First update, in Italian',
    }),
  },
  { additionalProperties: false },
);

export const IncidentUpdateBody = Type.Object(
  {
    state: IncidentState,
    message: Type.String({ minLength: 1, maxLength: 4000 }),
    impact: Type.Optional(Impact),
    services: Type.Optional(Type.Array(ServiceCode, { minItems: 1, maxItems: 6 })),
    resolvedAt: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
