import { audit } from '../context.js';
import type { PaymentPosition, ReceiptStatus } from './ports.js';
import { Batcher } from '../batcher.js';
import { systemActor } from '../../domain/registry/actor.js';
import {
  type PaymentFault,
  type Deps,
  checkCaller,
  type ReceiptDelivery,
  type ReceiptOutcome,
} from './pagopa-creditor.js';

/** What to do with one receipt, given its (locked) position: pure. */
function decide(
  deps: Deps,
  delivery: ReceiptDelivery,
  position: PaymentPosition | undefined,
  appliedInBatch: Set<string>,
): { status: ReceiptStatus; fault?: PaymentFault; pay?: boolean } {
  const r = delivery.receipt;
  const callerFault = checkCaller(deps, delivery.caller, r.fiscalCode);
  if (callerFault) return { status: 'review', fault: callerFault };
  if (!position)
    return {
      status: 'review',
      fault: {
        code: 'PAA_PAGAMENTO_SCONOSCIUTO',
        message: `no payment position has notice number ${r.noticeNumber}`,
      },
    };
  if (r.outcome === 'KO') return { status: 'ko' };
  if (position.state === 'cancelled')
    return {
      status: 'review',
      fault: { code: 'PAA_PAGAMENTO_ANNULLATO', message: `notice ${r.noticeNumber} was cancelled` },
    };
  const paidWith =
    position.state === 'paid'
      ? position.paidReceiptId
      : appliedInBatch.has(position.id)
        ? r.receiptId
        : undefined;
  if (paidWith !== undefined) {
    if (paidWith === r.receiptId) return { status: 'repeated' };
    return {
      status: 'review',
      fault: {
        code: 'PAA_PAGAMENTO_DUPLICATO',
        message: `notice ${r.noticeNumber} was already paid with receipt ${paidWith}`,
      },
    };
  }
  if (r.amountCents !== position.amountCents) {
    return {
      status: 'review',
      fault: {
        code: 'PAA_SEMANTICA',
        message: `receipt amount ${r.amountCents / 100} differs from the amount due ${position.amountCents / 100}`,
      },
    };
  }
  return { status: 'applied', pay: true };
}

/**
 * paSendRT / paSendRTV2: applies receipts exactly once. A receipt for a notice never activated with
 * paGetPayment is applied like any other: pagoPA's Stand In collects the payment from its own copy of
 * the position when the station does not answer paVerifyPaymentNotice/paGetPayment, then sends the
 * receipt as usual (`standIn` in ctReceipt), and the creditor must not track the intermediate states;
 * the audit entry records whether the notice had been activated and the `standIn` flag. Every receipt is stored (evidence), whatever
 * happens: applied, repeated (same receipt again), ko (a failed payment), or kept for review with the
 * fault answered to the node (unknown, cancelled or already paid by another receipt, wrong amount).
 * Several deliveries are handled in one transaction (see ReceiptIntake): positions are locked in
 * notice-number order, decided one by one in arrival order, and written together.
 */
export async function receiveReceipts(deps: Deps, deliveries: ReceiptDelivery[]): Promise<ReceiptOutcome[]> {
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const navs = [...new Set(deliveries.map((d) => d.receipt.noticeNumber))];
    const positions = new Map(
      (await store.positions.lockByNoticeNumbers(navs)).map((p) => [p.noticeNumber, p]),
    );
    const applied = new Set<string>();
    const decisions = deliveries.map((d) => {
      const position = positions.get(d.receipt.noticeNumber);
      const decision = decide(deps, d, position, applied);
      if (decision.pay && position) applied.add(position.id);
      return { d, position, decision };
    });
    const toPay = decisions.filter((x) => x.decision.pay && x.position);
    const paid = new Set(
      await store.positions.markPaidMany(
        toPay.map((x) => ({
          positionId: x.position!.id,
          receiptId: x.d.receipt.receiptId,
          paidAt: x.d.receipt.paymentDateTime ?? now,
        })),
      ),
    );
    await store.paymentReceipts.insertReceipts(
      decisions.map(({ d, position, decision }) => ({
        id: deps.ids.uuid(),
        positionId: position?.id ?? null,
        status: decision.pay && position && !paid.has(position.id) ? 'repeated' : decision.status,
        faultCode: decision.fault?.code ?? null,
        version: d.version,
        ...d.receipt,
        creditorFiscalCode: d.receipt.fiscalCode,
        rawXml: d.rawXml,
        receivedAt: now,
      })),
    );
    // A bidder admitted with reserve because it could not pay: its receipt lifts the reserve.
    const lifted = [];
    for (const x of toPay) {
      const p = x.position!;
      if (!paid.has(p.id) || !p.lotId) continue;
      if (await store.reserves.liftReserve(p.lotId, p.debtorFiscalCode, x.d.receipt.receiptId, now))
        lifted.push(x);
    }
    await store.audit.append(
      lifted.map(({ d, position }) =>
        audit(
          systemActor('pagopa-node'),
          now,
          'reserve.lifted',
          { type: 'reserve', id: `${position!.cig}/${position!.debtorFiscalCode}` },
          { state: 'open' },
          {
            state: 'lifted',
            receiptId: d.receipt.receiptId,
          },
        ),
      ),
    );
    await store.audit.append(
      toPay
        .filter((x) => paid.has(x.position!.id))
        .map(({ d, position }) =>
          audit(
            systemActor('pagopa-node'),
            now,
            'payment_position.paid',
            { type: 'payment_position', id: position!.noticeNumber },
            { state: 'open' },
            {
              state: 'paid',
              receiptId: d.receipt.receiptId,
              pspId: d.receipt.pspId,
              amountCents: d.receipt.amountCents,
              // A receipt may come without paGetPayment (Stand In): applied, and recorded as such.
              activatedBefore: position!.activatedAt !== null,
              standIn: d.receipt.standIn ?? false,
            },
          ),
        ),
    );
    return decisions.map(({ position, decision }): ReceiptOutcome => {
      if (decision.fault) return { ok: false, fault: decision.fault };
      const status = decision.pay && position && !paid.has(position.id) ? 'repeated' : decision.status;
      return {
        ok: true,
        value: {
          status,
          position: position && status === 'applied' ? { ...position, state: 'paid' } : position,
        },
      };
    });
  });
}

/** One delivery; concurrent deliveries are grouped by the intake. */
export async function receiveReceipt(deps: Deps, delivery: ReceiptDelivery): Promise<ReceiptOutcome> {
  const [outcome] = await receiveReceipts(deps, [delivery]);
  return outcome as ReceiptOutcome;
}

/**
 * Groups receipts that arrive together into one transaction (Batcher): under load the node's retries
 * and bursts cost one commit per group instead of one per receipt.
 */
export class ReceiptIntake {
  readonly #batcher: Batcher<ReceiptDelivery, ReceiptOutcome>;
  constructor(deps: Deps, options: { maxBatch?: number; maxConcurrent?: number } = {}) {
    this.#batcher = new Batcher((items) => receiveReceipts(deps, items), {
      maxBatch: options.maxBatch ?? 64,
      maxConcurrent: options.maxConcurrent ?? 4,
    });
  }
  receive(delivery: ReceiptDelivery): Promise<ReceiptOutcome> {
    return this.#batcher.submit(delivery);
  }
}
