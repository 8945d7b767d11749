import type { FaultCode } from './pagopa-creditor.js';
import type { PositionKind, PaymentPosition } from '../../domain/payments/payment-position.js';
import type { SaGrouping } from '../../domain/payments/grouping.js';
import type { PaymentReceipt, ReceiptStatus } from '../../domain/payments/payment-receipt.js';
import type { ReportingFlowRecord, ReportingFlowLine } from '../../domain/payments/reporting-flow.js';

/**
 * What the payment services need from storage and from the outside world (pagoPA node sandbox, PDF
 * rendering); declared here, implemented in adapters/.
 */

// The domain's nouns live in src/domain; re-exported here for the code that imports them from here.
export type { PositionKind, PositionState, PaymentPosition } from '../../domain/payments/payment-position.js';
export type { SaGrouping } from '../../domain/payments/grouping.js';
export type { PaymentReceipt, ReceiptStatus } from '../../domain/payments/payment-receipt.js';
export type { ReportingFlowRecord, ReportingFlowLine } from '../../domain/payments/reporting-flow.js';

export interface NewPosition {
  id: string;
  kind: PositionKind;
  iuv: string;
  noticeNumber: string;
  creditorFiscalCode: string;
  debtorFiscalCode: string;
  debtorName: string;
  debtorType: 'F' | 'G';
  economicOperatorId: string | null;
  lotId: string | null;
  groupingId: string | null;
  subject: string;
  amountCents: number;
  dueDate: string;
  feeTable: string;
  createdAt: Date;
  createdBy: string | null;
}

export interface NewReceipt extends PaymentReceipt {
  rawXml: string;
}

export type StoredReceipt = PaymentReceipt;

export interface GroupableTender {
  tenderId: string;
  tenderNumber: number;
  contractingAuthorityId: string;
  createdAt: Date;
  /** Sum of the lots not cancelled. */
  totalCents: number;
}

export interface PositionRepository {
  nextIuvSequence(): Promise<number>;
  insertPosition(position: NewPosition): Promise<void>;
  findByNoticeNumber(noticeNumber: string): Promise<PaymentPosition | undefined>;
  findByIuvs(iuvs: string[]): Promise<PaymentPosition[]>;
  /** Locks the position for the rest of the transaction. */
  lockByNoticeNumber(noticeNumber: string): Promise<PaymentPosition | undefined>;
  /** Locks several positions, in notice-number order (so concurrent batches cannot deadlock). */
  lockByNoticeNumbers(noticeNumbers: string[]): Promise<PaymentPosition[]>;
  findForLot(lotId: string, debtorFiscalCode: string): Promise<PaymentPosition | undefined>;
  listForLot(lotId: string): Promise<PaymentPosition[]>;
  listForOperator(
    economicOperatorId: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: PaymentPosition[]; total: number }>;
  markActivated(positionId: string, at: Date): Promise<void>;
  /** False when the position was no longer open. */
  markPaid(positionId: string, receiptId: string, paidAt: Date): Promise<boolean>;
  /** Marks open positions paid; returns the ids that were still open. */
  markPaidMany(payments: { positionId: string; receiptId: string; paidAt: Date }[]): Promise<string[]>;
  markSettled(positionIds: string[], flowId: string, at: Date): Promise<void>;
  /** False when the position was no longer open. */
  cancel(positionId: string): Promise<boolean>;
}

/** The receipts the pagoPA node sent (append-only). */
export interface PaymentReceiptRepository {
  insertReceipts(receipts: NewReceipt[]): Promise<void>;
  findAppliedReceipt(positionId: string): Promise<StoredReceipt | undefined>;
  listReceipts(filter: {
    status?: ReceiptStatus | undefined;
    limit: number;
    offset: number;
  }): Promise<{ items: StoredReceipt[]; total: number }>;
}

/** Positions and receipts together (the Store's `payments`, for callers not yet on a slice). */
export type PaymentRepository = PositionRepository & PaymentReceiptRepository;

export interface GroupingRepository {
  /** Active tenders created in [from, to) with at least one lot not cancelled, not yet grouped. */
  listUngroupedTenders(from: Date, to: Date): Promise<GroupableTender[]>;
  /** Inserts the grouping and its items; false when (authority, period) exists already. */
  insertGrouping(
    grouping: Omit<SaGrouping, 'noticeNumber'>,
    items: { tenderId: string; tenderAmountCents: number; feeCents: number; feeTable: string }[],
  ): Promise<boolean>;
  listGroupings(filter: {
    contractingAuthorityId?: string | undefined;
    limit: number;
    offset: number;
  }): Promise<{ items: SaGrouping[]; total: number }>;
}

export interface ReportingFlowRepository {
  findFlow(flowId: string): Promise<(ReportingFlowRecord & { lines: ReportingFlowLine[] }) | undefined>;
  insertFlow(
    flow: ReportingFlowRecord & { rawXml: string; importedBy: string | null },
    lines: ReportingFlowLine[],
  ): Promise<boolean>;
}

/** The pagoPA parameters of the creditor (from configuration). */
export interface CreditorConfig {
  fiscalCode: string;
  name: string;
  officeName: string;
  brokerId: string;
  stationId: string;
  segregationCode: string;
  iban: string;
  /** Minutes during which an activated (paGetPayment) position counts as "payment in progress". */
  activationMinutes: number;
}

/** What a printed pagoPA notice shows (adapters/pdf renders it). */
export interface NoticeDocument {
  /** Oggetto del pagamento; printed on at most 90 characters (longer text ends with an ellipsis). */
  subject: string;
  creditor: { name: string; fiscalCode: string };
  debtor: { name: string; fiscalCode: string };
  amountCents: number;
  dueDate: string;
  /** 18 digits (NAV) */
  noticeNumber: string;
  /** PAGOPA|002|<NAV>|<creditor CF>|<amount in cents> */
  qrPayload: string;
  issuedAt: Date;
}

export interface ReceiptDocument {
  subject: string;
  creditor: { name: string; fiscalCode: string };
  debtor: { name: string; fiscalCode: string };
  amountCents: number;
  noticeNumber: string;
  iuv: string;
  receiptId: string;
  paidAt: Date;
  psp: { id: string; name: string };
  cig?: string | undefined;
}

export interface PaymentDocuments {
  notice(doc: NoticeDocument): Promise<Buffer>;
  receipt(doc: ReceiptDocument): Promise<Buffer>;
}

/** A payment made through the pagoPA node (in the embedded default: the built-in sandbox). */
export interface PaymentNode {
  pay(input: { noticeNumber: string; payer: { fiscalCode: string; name: string } }): Promise<{
    outcome: 'OK' | 'KO';
    receiptId?: string;
    step?: string;
    fault?: { code: string; message: string };
  }>;
}

/** A reporting flow (FlussoRiversamento) as its reader hands it over; amounts in cents. */
export interface ReportingFlowDocument {
  flowId: string;
  /** dataOraFlusso, as written in the document (Rome local time when it has no offset). */
  flowDateTime: string;
  settlementId: string;
  settlementDate: string;
  sender: { id: string };
  receiver: { id: string };
  totalPayments: number;
  totalAmountCents: number;
  payments: { iuv: string; receiptId: string; amountCents: number; outcome: number; outcomeDate: string }[];
}

/** Reads reporting-flow XML (adapters/pagopa/reporting-flow.ts). */
export interface ReportingFlowReader {
  /** The largest document accepted, in bytes (the HTTP body limit). */
  readonly maxBytes: number;
  /** Parsed off the event loop (a worker thread) where the adapter can: a flow may be megabytes. */
  read(xml: string): Promise<{ ok: true; flow: ReportingFlowDocument } | { ok: false; errors: string[] }>;
}

export type PaForNodeOperation =
  'paVerifyPaymentNotice' | 'paGetPayment' | 'paGetPaymentV2' | 'paSendRT' | 'paSendRTV2';

/** Who calls, as the node states it in every request. */
export interface NodeCallerIds {
  idPA: string;
  idBrokerPA: string;
  idStation: string;
}

/** A receipt as the node sends it (paSendRT / paSendRTV2): amounts and times as written in the XML. */
export interface NodeReceipt {
  receiptId: string;
  noticeNumber: string;
  fiscalCode: string;
  outcome: 'OK' | 'KO';
  paymentAmount: string;
  idPSP: string;
  pspCompanyName: string;
  idChannel: string;
  paymentMethod?: string;
  /** Rome local time, as written. */
  paymentDateTime?: string;
  payer?: { fiscalCode: string };
  standIn?: boolean;
}

export type NodeRequest =
  | ({
      operation: 'paVerifyPaymentNotice';
      qrCode: { fiscalCode: string; noticeNumber: string };
    } & NodeCallerIds)
  | ({
      operation: 'paGetPayment' | 'paGetPaymentV2';
      qrCode: { fiscalCode: string; noticeNumber: string };
      amount?: string;
    } & NodeCallerIds)
  | ({ operation: 'paSendRT' | 'paSendRTV2'; receipt: NodeReceipt } & NodeCallerIds);

/** What the creditor answers paGetPayment with (amounts as XML decimals). */
export interface NodePaymentData {
  creditorReferenceId: string;
  amount: string;
  dueDate: string;
  description: string;
  companyName: string;
  officeName?: string;
  fiscalCodePA: string;
  debtor: { type: 'F' | 'G'; fiscalCode: string; fullName: string };
  transfers: {
    idTransfer: number;
    amount: string;
    fiscalCodePA: string;
    iban: string;
    remittanceInformation: string;
    transferCategory: string;
  }[];
}

/**
 * The SOAP codec of the creditor's paForNode interface (adapters/pagopa/pa-for-node-soap.ts): reads the
 * node's requests and writes the answers. `parseRequest` ok:false means a syntax fault.
 */
export interface PaForNodeCodec {
  /** The largest request accepted, in bytes (the HTTP body limit). */
  readonly maxRequestBytes: number;
  parseRequest(
    xml: string,
  ):
    | { ok: true; request: NodeRequest }
    | { ok: false; operation?: PaForNodeOperation; idPA?: string; message: string };
  verifyResponse(data: {
    amount: string;
    dueDate: string;
    detailDescription: string;
    paymentDescription: string;
    fiscalCodePA: string;
    companyName: string;
    officeName?: string;
  }): string;
  getPaymentResponse(version: 'v1' | 'v2', data: NodePaymentData): string;
  sendRtResponse(version: 'v1' | 'v2'): string;
  /** Never throws: the answer of last resort. */
  faultResponse(
    operation: PaForNodeOperation,
    fault: { code: FaultCode; faultString: string; description?: string; idPA: string },
  ): string;
}
