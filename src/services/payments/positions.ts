import { qrPayload } from '../../domain/payments/notice-number.js';
import { DomainError, notFound } from '../../domain/shared/errors.js';
import { audit, canSeeAuthority, requireRole, type ServiceDeps } from '../context.js';
import type { PaymentPosition, StoredReceipt } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store'>;

/**
 * A payment position is visible to its debtor (the bidder, or the contracting authority's RUPs for a
 * grouping), to the RUPs of the authority it concerns, and to staff.
 */
export async function getPosition(deps: Deps, noticeNumber: string, actor: Actor): Promise<PaymentPosition> {
  const position = await deps.store.positions.findByNoticeNumber(noticeNumber);
  if (!position) throw notFound(`payment notice ${noticeNumber}`);
  const visible =
    actor.kind === 'user' && actor.role === 'economic_operator'
      ? position.economicOperatorId !== null && position.economicOperatorId === actor.economicOperatorId
      : canSeeAuthority(actor, position.contractingAuthorityId, position.regionalSectionCode);
  if (!visible) throw notFound(`payment notice ${noticeNumber}`);
  return position;
}

export async function listOwnPositions(deps: Deps, page: { limit: number; offset: number }, actor: Actor) {
  const bidder = requireRole(actor, 'economic_operator');
  return deps.store.positions.listForOperator(bidder.economicOperatorId ?? '', page);
}

export async function positionReceipt(
  deps: Deps,
  noticeNumber: string,
  actor: Actor,
): Promise<{ position: PaymentPosition; receipt: StoredReceipt }> {
  const position = await getPosition(deps, noticeNumber, actor);
  const receipt =
    position.state === 'paid' ? await deps.store.paymentReceipts.findAppliedReceipt(position.id) : undefined;
  if (!receipt)
    throw new DomainError('invalid_state', `notice ${noticeNumber} is not paid yet`, { reason: 'not_paid' });
  return { position, receipt };
}

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

/** The bidder pays its notice through the pagoPA node sandbox (embedded default only). */
export async function payInSandbox(
  deps: Pick<ServiceDeps, 'store' | 'paymentNode'>,
  noticeNumber: string,
  actor: Actor,
) {
  if (!deps.paymentNode) {
    throw new DomainError(
      'forbidden',
      'the pagoPA sandbox is switched off: pay the notice at any payment provider',
      { reason: 'sandbox_off' },
    );
  }
  const bidder = requireRole(actor, 'economic_operator', 'rup');
  const position = await getPosition(deps, noticeNumber, actor);
  if (position.state !== 'open') {
    throw new DomainError('invalid_state', `notice ${noticeNumber} is ${position.state}`, {
      reason: `position_${position.state}`,
    });
  }
  const result = await deps.paymentNode
    .pay({ noticeNumber, payer: { fiscalCode: position.debtorFiscalCode, name: bidder.name } })
    .catch((error: unknown) => {
      throw new DomainError(
        'service_unavailable',
        'the pagoPA sandbox could not reach the payment service; retry',
        { cause: error },
      );
    });
  return { result, position: await getPosition(deps, noticeNumber, actor) };
}

/**
 * The creditor withdraws an unpaid notice (issued in error, procedure annulled): the node then gets
 * PAA_PAGAMENTO_ANNULLATO, and a receipt arriving anyway is kept for review.
 */
export async function cancelPosition(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  input: { noticeNumber: string; note: string },
  actor: Actor,
): Promise<PaymentPosition> {
  requireRole(actor, 'authority_staff', 'admin');
  const note = input.note.trim();
  if (note.length === 0)
    throw new DomainError('validation_failed', 'say why the notice is withdrawn', { field: 'note' });
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const position = await store.positions.lockByNoticeNumber(input.noticeNumber);
    if (!position) throw notFound(`payment notice ${input.noticeNumber}`);
    if (!(await store.positions.cancel(position.id))) {
      throw new DomainError(
        'invalid_state',
        `notice ${input.noticeNumber} is ${position.state}: only an open notice can be withdrawn`,
        {
          reason: `position_${position.state}`,
        },
      );
    }
    await store.audit.append([
      audit(
        actor,
        now,
        'payment_position.cancelled',
        { type: 'payment_position', id: position.noticeNumber },
        { state: 'open' },
        { state: 'cancelled', note },
      ),
    ]);
    return { ...position, state: 'cancelled' };
  });
}
