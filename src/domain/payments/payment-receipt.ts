export type ReceiptStatus = 'applied' | 'repeated' | 'review' | 'ko';

/** A receipt the pagoPA node sent (paSendRT / paSendRTV2), as kept: how it was applied to its position. */
export interface PaymentReceipt {
  id: string;
  positionId: string | null;
  status: ReceiptStatus;
  faultCode: string | null;
  version: 'v1' | 'v2';
  receiptId: string;
  noticeNumber: string;
  creditorFiscalCode: string;
  outcome: 'OK' | 'KO';
  amountCents: number;
  pspId: string;
  pspName: string;
  channelId: string;
  paymentMethod: string | null;
  paymentDateTime: Date | null;
  payerFiscalCode: string | null;
  receivedAt: Date;
}
