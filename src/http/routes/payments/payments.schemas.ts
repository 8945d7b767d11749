import { Type } from 'typebox';
import { DateTime, Nullable } from '../../common.schemas.js';

export const NoticeParams = Type.Object({
  noticeNumber: Type.String({ pattern: '^[0-9]{18}$', description: 'pagoPA notice number (18 digits)' }),
});

export const FiscalCode = Type.String({ pattern: '^([0-9]{11}|[A-Za-z0-9]{16})$' });

export const PositionView = Type.Object({
  noticeNumber: Type.String(),
  noticeNumberPrinted: Type.String(),
  iuv: Type.String(),
  kind: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('paid'), Type.Literal('cancelled')]),
  cig: Nullable(Type.String()),
  subject: Type.String(),
  amount: Type.String(),
  dueDate: Type.String(),
  creditorFiscalCode: Type.String(),
  debtor: Type.Object({ fiscalCode: Type.String(), name: Type.String() }),
  paidAt: Nullable(DateTime),
  receiptId: Nullable(Type.String()),
  settledAt: Nullable(DateTime),
  createdAt: DateTime,
});

export const ReceiptView = Type.Object({
  receiptId: Type.String(),
  noticeNumber: Type.String(),
  status: Type.String(),
  faultCode: Nullable(Type.String()),
  outcome: Type.String(),
  amount: Type.String(),
  psp: Type.Object({ id: Type.String(), name: Type.String() }),
  paymentDateTime: Nullable(DateTime),
  receivedAt: DateTime,
});

export const ContributionView = Type.Object({
  fiscalCode: Type.String(),
  status: Type.Union([Type.Literal('paid'), Type.Literal('not_paid'), Type.Literal('not_due')]),
  amount: Type.String(),
  noticeNumber: Nullable(Type.String()),
  receipt: Nullable(
    Type.Object({
      receiptId: Type.String(),
      paidAt: DateTime,
      amount: Type.String(),
      psp: Type.Object({ id: Type.String(), name: Type.String() }),
    }),
  ),
  basis: Nullable(Type.String()),
});

export const FlowReportView = Type.Object({
  flowId: Type.String(),
  alreadyImported: Type.Boolean(),
  settlementId: Type.String(),
  settlementDate: Type.String(),
  pspId: Type.String(),
  totalPayments: Type.Integer(),
  totalAmount: Type.String(),
  settled: Type.Integer(),
  unknownIuv: Type.Integer(),
  amountMismatch: Type.Integer(),
  lines: Type.Array(
    Type.Object({
      line: Type.Integer(),
      iuv: Type.String(),
      receiptId: Type.String(),
      amount: Type.String(),
      outcome: Type.Integer(),
      result: Type.String(),
      expectedAmount: Nullable(Type.String()),
    }),
  ),
});

export const GroupingView = Type.Object({
  id: Type.String(),
  contractingAuthorityId: Type.String(),
  period: Type.String(),
  amount: Type.String(),
  tenderCount: Type.Integer(),
  noticeNumber: Nullable(Type.String()),
  createdAt: DateTime,
});
