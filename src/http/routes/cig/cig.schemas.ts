import { Type } from 'typebox';
import { CancellationView, DateTime, Nullable } from '../../common.schemas.js';

export const CigValidationView = Type.Object({
  code: Type.String(),
  valid: Type.Boolean(),
  family: Nullable(Type.Union([Type.Literal('simog_v1'), Type.Literal('pcp'), Type.Literal('smart_cig')])),
  familyLabel: Nullable(Type.String()),
  reason: Nullable(Type.String({ description: 'Why the code is invalid (stable code)' })),
  message: Nullable(Type.String()),
});

export const CigLookupView = Type.Object({
  cig: Type.String(),
  family: Type.String(),
  familyLabel: Type.String(),
  issuedDuringIncidents: Type.Array(Type.String(), {
    description: 'Incidents under way when the code was issued: the code stays valid and is marked with them',
  }),
  kind: Type.Union([Type.Literal('lot'), Type.Literal('smart_cig')]),
  state: Type.String(),
  stateLabel: Type.String(),
  contractingAuthority: Type.Object({ name: Type.String(), fiscalCode: Type.String() }),
  tenderNumber: Nullable(Type.String()),
  lotNumber: Nullable(Type.Integer()),
  object: Type.String(),
  amount: Type.String(),
  procedureType: Type.String(),
  cpv: Nullable(Type.String()),
  place: Nullable(Type.String()),
  acquiredAt: DateTime,
  perfectionDeadline: Nullable(Type.String()),
  publicationDate: Nullable(Type.String()),
  bidDeadline: Nullable(DateTime),
  bidderContribution: Type.Object(
    { amount: Type.String(), exempt: Type.Boolean() },
    { description: 'What each bidder owes the Authority for this lot' },
  ),
  authorityContribution: Type.Object(
    { amount: Type.String(), exempt: Type.Boolean(), onAmount: Type.String() },
    {
      description:
        'What the contracting authority owes the Authority for the whole tender, on the total of its lots not cancelled (`onAmount`); a SmartCIG owes nothing',
    },
  ),
  cancellation: Nullable(CancellationView),
});
