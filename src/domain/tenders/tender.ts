/**
 * The tenders' nouns: a tender (gara), its lots (each with its CIG) and the SmartCIG. Records as the
 * services read them: money in integer cents, calendar dates 'YYYY-MM-DD', instants Date.
 */
import type { ContractObject, LotState, Sector, TenderState } from './tender-rules.js';

export interface Tender {
  id: string;
  tenderNumber: number;
  contractingAuthorityId: string;
  contractingAuthorityName: string;
  contractingAuthorityFiscalCode: string;
  regionalSectionCode: string;
  costCentreId: string | null;
  rupUserId: string;
  object: string;
  procedureTypeCode: string;
  sector: Sector;
  contractObject: ContractObject;
  state: TenderState;
  lotCount: number;
  cancelReason: number | null;
  cancelNote: string | null;
  cancelledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Lot {
  id: string;
  tenderId: string;
  tenderNumber: number;
  tenderState: TenderState;
  /** When the tender (the procedure) started: keys the contribution tables. */
  tenderCreatedAt: Date;
  contractingAuthorityId: string;
  contractingAuthorityName: string;
  contractingAuthorityFiscalCode: string;
  regionalSectionCode: string;
  procedureTypeCode: string;
  lotNumber: number;
  cig: string;
  object: string;
  amountCents: number;
  cpvCode: string;
  istatPlaceCode: string;
  state: LotState;
  acquiredAt: Date;
  perfectionDeadline: string;
  publicationDate: string | null;
  invitationDate: string | null;
  bidDeadline: Date | null;
  perfectedAt: Date | null;
  cancelReason: number | null;
  cancelNote: string | null;
  cancelledAt: Date | null;
}

/** A lot's own facts, without its tender's: those of a new lot are all known before it is written, its number excepted. */
export type LotFacts = Omit<
  Lot,
  | 'tenderId'
  | 'tenderState'
  | 'tenderCreatedAt'
  | 'contractingAuthorityId'
  | 'contractingAuthorityName'
  | 'contractingAuthorityFiscalCode'
  | 'regionalSectionCode'
  | 'procedureTypeCode'
>;

export interface SmartCig {
  id: string;
  cig: string;
  contractingAuthorityId: string;
  contractingAuthorityName: string;
  contractingAuthorityFiscalCode: string;
  regionalSectionCode: string;
  rupUserId: string;
  contractType: string;
  contractObject: ContractObject;
  procedureTypeCode: string;
  object: string;
  amountCents: number;
  cup: string | null;
  state: 'issued' | 'cancelled';
  createdAt: Date;
  cancelledAt: Date | null;
}
