/** A pagoPA payment position (avviso): what is owed, by whom, and where it stands. */
export type PositionKind = 'bidder_lot' | 'authority_grouping';

export type PositionState = 'open' | 'paid' | 'cancelled';

export interface PaymentPosition {
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
  cig: string | null;
  groupingId: string | null;
  /** The contracting authority the payment concerns (the lot's, or the grouped one). */
  contractingAuthorityId: string;
  regionalSectionCode: string;
  subject: string;
  amountCents: number;
  dueDate: string;
  feeTable: string;
  state: PositionState;
  activatedAt: Date | null;
  paidAt: Date | null;
  paidReceiptId: string | null;
  settledAt: Date | null;
  settlementFlowId: string | null;
  createdAt: Date;
}
