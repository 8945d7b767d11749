import { Type } from 'typebox';
import type { PecReceiptRecord } from '../../../services/notices/ports.js';
import { DateTime, Nullable, Offset } from '../../common.schemas.js';

const ReceiptStatus = Type.Union([Type.Literal('applied'), Type.Literal('review')]);

export const IntakeView = Type.Object({
  matched: Type.Boolean(),
  duplicate: Type.Boolean({ description: 'The same receipt was received before (kept once)' }),
  kind: Type.String(),
  conformant: Type.Boolean(),
  problems: Type.Array(Type.String()),
  state: Nullable(Type.String({ description: "The recipient's delivery state after this receipt" })),
  status: Type.Union([Type.Literal('applied'), Type.Literal('review')], {
    description: 'applied, or kept for review (it changed nothing)',
  }),
  signer: Nullable(Type.String({ description: 'The PEC provider whose signature verified' })),
  reviewReasons: Type.Array(Type.String()),
});

export const ReceiptListQuery = Type.Object(
  {
    unmatched: Type.Boolean({ default: false }),
    status: Type.Optional(ReceiptStatus),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Offset,
  },
  { additionalProperties: false },
);

export const ReceiptView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  referenceMessageId: Nullable(Type.String()),
  recipient: Nullable(Type.String()),
  conformant: Type.Boolean(),
  problems: Type.Array(Type.String()),
  receivedAt: DateTime,
  relayId: Nullable(Type.String()),
  address: Nullable(Type.String()),
  status: ReceiptStatus,
  signer: Nullable(Type.String()),
});

export const presentReceipt = ({ outboxId: _o, ...r }: PecReceiptRecord) => ({
  ...r,
  receivedAt: r.receivedAt.toISOString(),
});
