export interface ReportingFlowRecord {
  flowId: string;
  flowDateTime: Date;
  settlementId: string;
  settlementDate: string;
  pspId: string;
  totalPayments: number;
  totalAmountCents: number;
  settledCount: number;
  unknownCount: number;
  mismatchCount: number;
  importedAt: Date;
}

export interface ReportingFlowLine {
  line: number;
  iuv: string;
  receiptId: string;
  amountCents: number;
  outcome: number;
  outcomeDate: string;
  positionId: string | null;
  result: 'settled' | 'unknown_iuv' | 'amount_mismatch' | 'not_settled';
  expectedAmountCents: number | null;
}
