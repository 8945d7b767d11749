import { qrPayload } from '../../domain/payments/notice-number.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import { getPosition } from './get-position.js';

export async function noticePdf(
  deps: Pick<ServiceDeps, 'store' | 'documents' | 'creditor' | 'clock'>,
  noticeNumber: string,
  actor: Actor,
): Promise<Buffer> {
  const p = await getPosition(deps, noticeNumber, actor);
  if (p.state === 'cancelled')
    throw new DomainError('invalid_state', `notice ${noticeNumber} was cancelled`, { reason: 'cancelled' });
  return deps.documents.notice({
    subject: p.subject,
    creditor: { name: deps.creditor.name, fiscalCode: p.creditorFiscalCode },
    debtor: { name: p.debtorName, fiscalCode: p.debtorFiscalCode },
    amountCents: p.amountCents,
    dueDate: p.dueDate,
    noticeNumber: p.noticeNumber,
    qrPayload: qrPayload(p.noticeNumber, p.creditorFiscalCode, p.amountCents),
    issuedAt: p.createdAt,
  });
}
