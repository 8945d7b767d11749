import { buildNoticeNumber, iuvBaseFor } from '../../domain/payments/notice-number.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import { DomainError, notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { lotBidderContribution } from './contributions.js';
import type { PaymentPosition } from './ports.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Lot } from '../../domain/tenders/tender.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'creditor'>;

/** pagoPA subjects are at most 140 characters; the printed notice takes 90. */
export const bidderSubject = (lot: Pick<Lot, 'cig' | 'lotNumber' | 'tenderNumber'>): string =>
  `Contributo ANAC partecipazione gara ${lot.tenderNumber} lotto ${lot.lotNumber} - CIG ${lot.cig}`;

/**
 * A bidder asks to pay the contribution for a lot: the system opens a debt position with its pagoPA
 * notice number (or returns the one already open for this bidder and lot). The due date is the lot's
 * bid deadline, since payment is a condition for admission.
 */
export async function openBidderPosition(
  deps: Deps,
  input: { cig: string },
  actor: Actor,
): Promise<{ position: PaymentPosition; created: boolean }> {
  const bidder = requireRole(actor, 'economic_operator');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const operator = await store.operators.findEconomicOperator(bidder.economicOperatorId ?? '');
    if (!operator) throw notFound('economic operator');
    const lot = await store.lots.findByCig(input.cig);
    if (!lot) throw notFound(`lot with CIG ${input.cig}`);
    const existing = await store.positions.findForLot(lot.id, operator.fiscalCode);
    if (existing) return { position: existing, created: false };
    if (lot.state === 'cancelled') {
      throw new DomainError('invalid_state', `lot ${lot.cig} is cancelled: nothing is owed`, {
        reason: 'lot_cancelled',
      });
    }
    if (!lot.bidDeadline) {
      throw new DomainError(
        'invalid_state',
        `lot ${lot.cig} has no bid deadline yet (not published): the contribution cannot be paid yet`,
        {
          reason: 'lot_not_published',
        },
      );
    }
    const dueDate = romeDateOf(lot.bidDeadline);
    if (romeDateOf(now) > dueDate) {
      throw new DomainError('invalid_state', `the bid deadline of ${lot.cig} (${dueDate}) has passed`, {
        reason: 'bid_deadline_passed',
      });
    }
    const tender = await store.tenders.findByNumber(lot.tenderNumber);
    if (!tender) throw notFound(`tender ${lot.tenderNumber}`);
    const fee = lotBidderContribution(lot, tender.createdAt);
    if (fee.exempt) {
      throw new DomainError('rule_violation', `no contribution is due for ${lot.cig} (${fee.basis})`, {
        reason: 'contribution_not_due',
      });
    }
    const iuvBase = iuvBaseFor(Number(romeDateOf(now).slice(0, 4)), await store.positions.nextIuvSequence());
    const noticeNumber = buildNoticeNumber(deps.creditor.segregationCode, iuvBase);
    const position = {
      id: deps.ids.uuid(),
      kind: 'bidder_lot' as const,
      iuv: noticeNumber.slice(1),
      noticeNumber,
      creditorFiscalCode: deps.creditor.fiscalCode,
      debtorFiscalCode: operator.fiscalCode,
      debtorName: operator.name,
      debtorType: operator.fiscalCode.length === 11 ? ('G' as const) : ('F' as const),
      economicOperatorId: operator.id,
      lotId: lot.id,
      groupingId: null,
      subject: bidderSubject(lot),
      amountCents: fee.amountCents,
      dueDate,
      feeTable: fee.tableId,
      createdAt: now,
      createdBy: bidder.userId,
    };
    await store.positions.insertPosition(position);
    const created = await store.positions.findByNoticeNumber(noticeNumber);
    if (!created) throw new Error(`payment position ${noticeNumber} vanished`);
    await store.audit.append([
      audit(actor, now, 'payment_position.opened', { type: 'payment_position', id: noticeNumber }, null, {
        cig: lot.cig,
        debtor: operator.fiscalCode,
        amountCents: fee.amountCents,
        dueDate,
        feeTable: fee.tableId,
      }),
    ]);
    return { position: created, created: true };
  });
}
