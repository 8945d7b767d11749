import type { ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import { positionReceipt } from './get-position-receipt.js';

export async function receiptPdf(
  deps: Pick<ServiceDeps, 'store' | 'documents' | 'creditor'>,
  noticeNumber: string,
  actor: Actor,
): Promise<Buffer> {
  const { position: p, receipt } = await positionReceipt(deps, noticeNumber, actor);
  return deps.documents.receipt({
    subject: p.subject,
    creditor: { name: deps.creditor.name, fiscalCode: p.creditorFiscalCode },
    debtor: { name: p.debtorName, fiscalCode: p.debtorFiscalCode },
    amountCents: receipt.amountCents,
    noticeNumber: p.noticeNumber,
    iuv: p.iuv,
    receiptId: receipt.receiptId,
    paidAt: receipt.paymentDateTime ?? receipt.receivedAt,
    psp: { id: receipt.pspId, name: receipt.pspName },
    cig: p.cig ?? undefined,
  });
}
