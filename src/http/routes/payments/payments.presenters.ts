import { groupNoticeNumber } from '../../../domain/payments/notice-number.js';
import { formatAmount } from '../../../domain/shared/money.js';
import type { FlowReport } from '../../../services/payments/import-reporting-flow.js';
import type { PaymentPosition, SaGrouping, StoredReceipt } from '../../../services/payments/ports.js';
import type { ContributionStatus } from '../../../services/payments/verify-contribution.js';

export const presentPosition = (p: PaymentPosition) => ({
  noticeNumber: p.noticeNumber,
  noticeNumberPrinted: groupNoticeNumber(p.noticeNumber),
  iuv: p.iuv,
  kind: p.kind,
  state: p.state,
  cig: p.cig,
  subject: p.subject,
  amount: formatAmount(p.amountCents),
  dueDate: p.dueDate,
  creditorFiscalCode: p.creditorFiscalCode,
  debtor: { fiscalCode: p.debtorFiscalCode, name: p.debtorName },
  paidAt: p.paidAt?.toISOString() ?? null,
  receiptId: p.paidReceiptId,
  settledAt: p.settledAt?.toISOString() ?? null,
  createdAt: p.createdAt.toISOString(),
});

export const presentReceipt = (r: StoredReceipt) => ({
  receiptId: r.receiptId,
  noticeNumber: r.noticeNumber,
  status: r.status,
  faultCode: r.faultCode,
  outcome: r.outcome,
  amount: formatAmount(r.amountCents),
  psp: { id: r.pspId, name: r.pspName },
  paymentDateTime: r.paymentDateTime?.toISOString() ?? null,
  receivedAt: r.receivedAt.toISOString(),
});

export const presentContribution = (c: ContributionStatus) => ({
  fiscalCode: c.fiscalCode,
  status: c.status,
  amount: formatAmount(c.amountCents),
  noticeNumber: c.status === 'not_due' ? null : (c.position?.noticeNumber ?? null),
  receipt:
    c.status === 'paid'
      ? {
          receiptId: c.receipt.receiptId,
          paidAt: (c.receipt.paymentDateTime ?? c.receipt.receivedAt).toISOString(),
          amount: formatAmount(c.receipt.amountCents),
          psp: { id: c.receipt.pspId, name: c.receipt.pspName },
        }
      : null,
  basis: c.status === 'not_due' ? c.basis : null,
});

export const presentFlow = (f: FlowReport) => ({
  flowId: f.flowId,
  alreadyImported: f.alreadyImported,
  settlementId: f.settlementId,
  settlementDate: f.settlementDate,
  pspId: f.pspId,
  totalPayments: f.totalPayments,
  totalAmount: formatAmount(f.totalAmountCents),
  settled: f.settledCount,
  unknownIuv: f.unknownCount,
  amountMismatch: f.mismatchCount,
  lines: f.lines.map((l) => ({
    line: l.line,
    iuv: l.iuv,
    receiptId: l.receiptId,
    amount: formatAmount(l.amountCents),
    outcome: l.outcome,
    result: l.result,
    expectedAmount: l.expectedAmountCents === null ? null : formatAmount(l.expectedAmountCents),
  })),
});

export const presentGrouping = (g: SaGrouping) => ({
  id: g.id,
  contractingAuthorityId: g.contractingAuthorityId,
  period: g.period,
  amount: formatAmount(g.amountCents),
  tenderCount: g.tenderCount,
  noticeNumber: g.noticeNumber,
  createdAt: g.createdAt.toISOString(),
});
