import { Type, type Static } from 'typebox';
import { Amount, CancellationView, DateTime, IsoDate, Nullable, Uuid } from '../../common.schemas.js';
import { MAX_OBJECT_LENGTH, MAX_NOTE_LENGTH } from '../../../domain/tenders/tender-rules.js';

export const TenderNumberParams = Type.Object({
  tenderNumber: Type.String({ pattern: '^[0-9]{7}$', description: '7-digit tender number' }),
});
export const CigParams = Type.Object({
  cig: Type.String({ pattern: '^[A-Za-z0-9]{10}$', description: 'CIG' }),
});

const ContractObject = Type.Union([
  Type.Literal('works'),
  Type.Literal('supplies'),
  Type.Literal('services'),
]);

export const LotBody = Type.Object(
  {
    object: Type.String({ minLength: 1, maxLength: MAX_OBJECT_LENGTH }),
    amount: Amount,
    cpv: Type.String({
      pattern: '^[0-9]{8}(-[0-9])?$',
      description: 'Main CPV code (8 digits)',
      examples: ['45233140'],
    }),
    place: Type.String({
      pattern: '^[0-9]{9}$',
      description: 'ISTAT place code (9 digits)',
      examples: ['016072006'],
    }),
  },
  { additionalProperties: false },
);

export const CreateTenderBody = Type.Object(
  {
    object: Type.String({ minLength: 1, maxLength: MAX_OBJECT_LENGTH }),
    procedureType: Type.String({ pattern: '^[0-9]{1,3}$', description: 'Code of the sceltaContraente list' }),
    sector: Type.Union([Type.Literal('ordinary'), Type.Literal('special')]),
    contractObject: ContractObject,
    costCentre: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    lots: Type.Array(LotBody, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
);
export type CreateTenderBody = Static<typeof CreateTenderBody>;

export const PerfectLotBody = Type.Object(
  {
    publicationDate: Type.Optional(IsoDate),
    invitationDate: Type.Optional(IsoDate),
    bidDeadline: DateTime,
  },
  { additionalProperties: false },
);

export const CancelBody = Type.Object(
  {
    reason: Type.Integer({ minimum: 0, maximum: 99, description: 'Lots: 1-4; tenders: 5-8 (domain.md)' }),
    note: Type.Optional(Type.String({ maxLength: MAX_NOTE_LENGTH })),
  },
  { additionalProperties: false },
);

export const LotView = Type.Object({
  cig: Type.String(),
  tenderNumber: Type.String(),
  lotNumber: Type.Integer(),
  state: Type.Union([Type.Literal('issued'), Type.Literal('perfected'), Type.Literal('cancelled')]),
  stateLabel: Type.String(),
  object: Type.String(),
  amount: Type.String(),
  cpv: Type.String(),
  place: Type.String(),
  acquiredAt: DateTime,
  perfectionDeadline: Type.String(),
  publicationDate: Nullable(Type.String()),
  invitationDate: Nullable(Type.String()),
  bidDeadline: Nullable(DateTime),
  perfectedAt: Nullable(DateTime),
  cancellation: Nullable(CancellationView),
});

const AuthorityRef = Type.Object({ id: Uuid, name: Type.String(), fiscalCode: Type.String() });

export const TenderView = Type.Object({
  tenderNumber: Type.String(),
  state: Type.Union([Type.Literal('active'), Type.Literal('cancelled')]),
  stateLabel: Type.String(),
  object: Type.String(),
  procedureType: Type.String(),
  sector: Type.String(),
  contractObject: Type.String(),
  contractingAuthority: AuthorityRef,
  costCentreId: Nullable(Type.String()),
  rupUserId: Type.String(),
  totalAmount: Type.String({ description: 'Sum of the lots not cancelled' }),
  createdAt: DateTime,
  cancellation: Nullable(CancellationView),
  contributions: Type.Object({
    startDate: Type.String({ description: 'Procedure start date: keys the fee table' }),
    authority: Type.Object({
      amount: Type.String(),
      exempt: Type.Boolean(),
      onAmount: Type.String(),
      basis: Type.String(),
    }),
    bidderPerLot: Type.Array(
      Type.Object({ cig: Type.String(), amount: Type.String(), exempt: Type.Boolean() }),
    ),
  }),
  lots: Type.Array(LotView),
});

export const TenderSummaryView = Type.Object({
  tenderNumber: Type.String(),
  state: Type.String(),
  stateLabel: Type.String(),
  object: Type.String(),
  procedureType: Type.String(),
  contractingAuthority: AuthorityRef,
  lotCount: Type.Integer(),
  createdAt: DateTime,
});

export const HistoryView = Type.Object({
  items: Type.Array(
    Type.Object({
      at: DateTime,
      actor: Type.String(),
      action: Type.String(),
      before: Type.Unknown(),
      after: Type.Unknown(),
    }),
  ),
});

export const SmartCigBody = Type.Object(
  {
    contractType: Type.String({ description: 'under_threshold, excluded, framework_call or emergency' }),
    contractObject: ContractObject,
    procedureType: Type.String({ pattern: '^[0-9]{1,3}$' }),
    object: Type.String({ minLength: 1, maxLength: MAX_OBJECT_LENGTH }),
    amount: Amount,
    cup: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{15}$', description: 'CUP, 15 characters' })),
  },
  { additionalProperties: false },
);

export const SmartCigView = Type.Object({
  cig: Type.String(),
  state: Type.String(),
  contractType: Type.String(),
  contractTypeLabel: Type.String(),
  contractObject: Type.String(),
  procedureType: Type.String(),
  object: Type.String(),
  amount: Type.String(),
  cup: Nullable(Type.String()),
  contractingAuthority: AuthorityRef,
  createdAt: DateTime,
  cancelledAt: Nullable(DateTime),
});
