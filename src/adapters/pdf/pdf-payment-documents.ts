import type { PaymentDocuments } from '../../services/payments/ports.js';
import { renderPaymentNotice, renderPaymentReceipt } from './payment-documents.js';

/** The PDF renderer behind the PaymentDocuments port. */
export const pdfPaymentDocuments: PaymentDocuments = {
  notice: renderPaymentNotice,
  receipt: renderPaymentReceipt,
};
