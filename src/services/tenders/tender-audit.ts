import type { Lot, SmartCig, Tender } from '../../domain/tenders/tender.js';

type LotSnapshot = Pick<
  Lot,
  | 'cig'
  | 'state'
  | 'object'
  | 'amountCents'
  | 'cpvCode'
  | 'istatPlaceCode'
  | 'perfectionDeadline'
  | 'publicationDate'
  | 'invitationDate'
  | 'bidDeadline'
  | 'cancelReason'
  | 'cancelNote'
> &
  Partial<Pick<Lot, 'tenderNumber' | 'lotNumber'>>;

/** The state snapshots written to the audit log (before/after). */
export const presentLotAudit = (lot: LotSnapshot) => ({
  cig: lot.cig,
  ...(lot.tenderNumber !== undefined ? { tenderNumber: lot.tenderNumber } : {}),
  ...(lot.lotNumber !== undefined ? { lotNumber: lot.lotNumber } : {}),
  state: lot.state,
  object: lot.object,
  amountCents: lot.amountCents,
  cpvCode: lot.cpvCode,
  istatPlaceCode: lot.istatPlaceCode,
  perfectionDeadline: lot.perfectionDeadline,
  publicationDate: lot.publicationDate,
  invitationDate: lot.invitationDate,
  bidDeadline: lot.bidDeadline?.toISOString() ?? null,
  cancelReason: lot.cancelReason,
  cancelNote: lot.cancelNote,
});

export const presentTenderAudit = (tender: Tender) => ({
  tenderNumber: tender.tenderNumber,
  state: tender.state,
  object: tender.object,
  contractingAuthorityId: tender.contractingAuthorityId,
  procedureTypeCode: tender.procedureTypeCode,
  sector: tender.sector,
  contractObject: tender.contractObject,
  cancelReason: tender.cancelReason,
  cancelNote: tender.cancelNote,
});

export const presentSmartCigAudit = (s: SmartCig) => ({
  cig: s.cig,
  state: s.state,
  contractType: s.contractType,
  contractObject: s.contractObject,
  procedureTypeCode: s.procedureTypeCode,
  object: s.object,
  amountCents: s.amountCents,
  cup: s.cup,
});
