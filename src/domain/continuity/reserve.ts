export interface Reserve {
  id: string;
  lotId: string;
  cig: string;
  contractingAuthorityId: string;
  regionalSectionCode: string;
  fiscalCode: string;
  bidderName: string;
  incidentId: string;
  incidentCode: string;
  note: string | null;
  state: 'open' | 'lifted' | 'expired';
  deadline: string;
  recordedAt: Date;
  liftedAt: Date | null;
  liftedByReceipt: string | null;
  expiredAt: Date | null;
}
