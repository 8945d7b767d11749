export interface SaGrouping {
  id: string;
  contractingAuthorityId: string;
  period: string;
  amountCents: number;
  tenderCount: number;
  createdAt: Date;
  noticeNumber: string | null;
}
