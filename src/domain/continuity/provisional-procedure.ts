export interface ProvisionalLot {
  id: string;
  lotNumber: number;
  object: string;
  amountCents: number;
  cpvCode: string;
  istatPlaceCode: string;
  /** Exactly one of the two, as the procedure type requires (`startDateFieldOf`). */
  publicationDate: string | null;
  invitationDate: string | null;
  bidDeadline: Date;
  lotId: string | null;
  cig: string | null;
}

export interface ProvisionalProcedure {
  id: string;
  reference: string;
  contractingAuthorityId: string;
  contractingAuthorityName: string;
  regionalSectionCode: string;
  rupUserId: string;
  object: string;
  procedureTypeCode: string;
  sector: 'ordinary' | 'special';
  contractObject: 'works' | 'supplies' | 'services';
  urgencyReasonCode: string;
  motivation: string;
  incidentId: string;
  incidentCode: string;
  state: 'pending' | 'regularised';
  registeredAt: Date;
  regularisationDeadline: string;
  regularisedAt: Date | null;
  tenderId: string | null;
  tenderNumber: number | null;
  lots: ProvisionalLot[];
}
