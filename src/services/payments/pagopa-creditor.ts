import { checkNoticeNumber } from '../../domain/payments/notice-number.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import { audit, type ServiceDeps } from '../context.js';
import type { Store } from '../ports.js';
import type { PaymentPosition, ReceiptStatus } from './ports.js';
import { Batcher } from '../batcher.js';
import { systemActor } from '../../domain/registry/actor.js';

/**
 * The Authority as a pagoPA creditor: what it answers when the pagoPA node verifies a notice, asks for
 * the payment data and sends the receipt. Transport-free: the SOAP adapter parses and renders XML.
 */
export type FaultCode =
  | 'PAA_PAGAMENTO_SCONOSCIUTO'
  | 'PAA_PAGAMENTO_SCADUTO'
  | 'PAA_PAGAMENTO_ANNULLATO'
  | 'PAA_PAGAMENTO_DUPLICATO'
  | 'PAA_PAGAMENTO_IN_CORSO'
  | 'PAA_ID_DOMINIO_ERRATO'
  | 'PAA_ID_INTERMEDIARIO_ERRATO'
  | 'PAA_STAZIONE_INT_ERRATA'
  | 'PAA_SINTASSI_XSD'
  | 'PAA_SINTASSI_EXTRAXSD'
  | 'PAA_SEMANTICA'
  | 'PAA_SYSTEM_ERROR'
  | 'PAA_RT_DUPLICATA';

export interface PaymentFault {
  code: FaultCode;
  message: string;
}

export type CreditorResult<T> = { ok: true; value: T } | { ok: false; fault: PaymentFault };

export interface NodeCaller {
  idPA: string;
  idBrokerPA: string;
  idStation: string;
}

export interface IncomingReceipt {
  receiptId: string;
  noticeNumber: string;
  /** The creditor's fiscal code, as the receipt states it. */
  fiscalCode: string;
  outcome: 'OK' | 'KO';
  amountCents: number;
  pspId: string;
  pspName: string;
  channelId: string;
  paymentMethod: string | null;
  paymentDateTime: Date | null;
  payerFiscalCode: string | null;
  /** The node collected the payment in Stand In (the station did not answer): no paGetPayment came. */
  standIn?: boolean;
}

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'creditor'>;

const fail = (code: FaultCode, message: string): { ok: false; fault: PaymentFault } => ({
  ok: false,
  fault: { code, message },
});

function checkCaller(deps: Deps, caller: NodeCaller, fiscalCode: string): PaymentFault | undefined {
  const c = deps.creditor;
  if (caller.idPA !== c.fiscalCode)
    return {
      code: 'PAA_ID_DOMINIO_ERRATO',
      message: `idPA ${caller.idPA} is not this creditor (${c.fiscalCode})`,
    };
  if (fiscalCode !== c.fiscalCode)
    return { code: 'PAA_ID_DOMINIO_ERRATO', message: `fiscal code ${fiscalCode} is not this creditor` };
  if (caller.idBrokerPA !== c.brokerId)
    return { code: 'PAA_ID_INTERMEDIARIO_ERRATO', message: `idBrokerPA ${caller.idBrokerPA} is not ours` };
  if (caller.idStation !== c.stationId)
    return { code: 'PAA_STAZIONE_INT_ERRATA', message: `idStation ${caller.idStation} is not ours` };
  return undefined;
}

/** The checks common to verify and activate: the position exists and can be paid today. */
async function payablePosition(
  deps: Deps,
  store: Store,
  noticeNumber: string,
  lock: boolean,
): Promise<CreditorResult<PaymentPosition>> {
  const nav = checkNoticeNumber(noticeNumber);
  if (!nav.valid || nav.segregationCode !== deps.creditor.segregationCode) {
    return fail('PAA_PAGAMENTO_SCONOSCIUTO', `notice ${noticeNumber} was not issued by this creditor`);
  }
  const position = lock
    ? await store.positions.lockByNoticeNumber(noticeNumber)
    : await store.positions.findByNoticeNumber(noticeNumber);
  if (!position)
    return fail('PAA_PAGAMENTO_SCONOSCIUTO', `no payment position has notice number ${noticeNumber}`);
  if (position.state === 'cancelled')
    return fail('PAA_PAGAMENTO_ANNULLATO', `notice ${noticeNumber} was cancelled`);
  if (position.state === 'paid')
    return fail('PAA_PAGAMENTO_DUPLICATO', `notice ${noticeNumber} is already paid`);
  if (romeDateOf(deps.clock.now()) > position.dueDate) {
    return fail('PAA_PAGAMENTO_SCADUTO', `notice ${noticeNumber} expired on ${position.dueDate}`);
  }
  return { ok: true, value: position };
}

/** paVerifyPaymentNotice: is this notice payable, for how much. */
export async function verifyNotice(
  deps: Deps,
  input: { caller: NodeCaller; fiscalCode: string; noticeNumber: string },
): Promise<CreditorResult<PaymentPosition>> {
  const callerFault = checkCaller(deps, input.caller, input.fiscalCode);
  if (callerFault) return { ok: false, fault: callerFault };
  const result = await payablePosition(deps, deps.store, input.noticeNumber, false);
  if (!result.ok) return result;
  const activatedAt = result.value.activatedAt;
  if (
    activatedAt &&
    deps.clock.now().getTime() - activatedAt.getTime() < deps.creditor.activationMinutes * 60_000
  ) {
    return fail('PAA_PAGAMENTO_IN_CORSO', `a payment of notice ${input.noticeNumber} is in progress`);
  }
  return result;
}

/** paGetPayment / paGetPaymentV2: the payment data; marks the position as being paid. */
export async function activatePayment(
  deps: Deps,
  /** amountCents: the amount the node forwards; absent (optional in the XSD) = the position's own. */
  input: { caller: NodeCaller; fiscalCode: string; noticeNumber: string; amountCents?: number },
): Promise<CreditorResult<PaymentPosition>> {
  const callerFault = checkCaller(deps, input.caller, input.fiscalCode);
  if (callerFault) return { ok: false, fault: callerFault };
  return deps.store.transaction(async (store) => {
    const result = await payablePosition(deps, store, input.noticeNumber, true);
    if (!result.ok) return result;
    if (input.amountCents !== undefined && input.amountCents !== result.value.amountCents) {
      return fail(
        'PAA_SEMANTICA',
        `amount ${input.amountCents / 100} differs from the amount due (${result.value.amountCents / 100})`,
      );
    }
    const now = deps.clock.now();
    await store.positions.markActivated(result.value.id, now);
    return { ok: true, value: { ...result.value, activatedAt: now } };
  });
}

export interface ReceiptDelivery {
  caller: NodeCaller;
  version: 'v1' | 'v2';
  receipt: IncomingReceipt;
  rawXml: string;
}

export type ReceiptOutcome = CreditorResult<{ status: ReceiptStatus; position: PaymentPosition | undefined }>;

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
