import { checkNoticeNumber } from '../../domain/payments/notice-number.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import type { ServiceDeps } from '../context.js';
import type { Store } from '../ports.js';
import type { PaymentPosition, ReceiptStatus } from './ports.js';

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

export type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'creditor'>;

export const fail = (code: FaultCode, message: string): { ok: false; fault: PaymentFault } => ({
  ok: false,
  fault: { code, message },
});

export function checkCaller(deps: Deps, caller: NodeCaller, fiscalCode: string): PaymentFault | undefined {
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
export async function payablePosition(
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

export interface ReceiptDelivery {
  caller: NodeCaller;
  version: 'v1' | 'v2';
  receipt: IncomingReceipt;
  rawXml: string;
}

export type ReceiptOutcome = CreditorResult<{ status: ReceiptStatus; position: PaymentPosition | undefined }>;
