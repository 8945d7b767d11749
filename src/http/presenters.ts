import { cigFamilyLabels } from '../domain/cig/cig.js';
import { formatAmount } from '../domain/shared/money.js';
import {
  AUTOMATIC_CANCELLATION,
  automaticCancellationLabel,
  lotCancellationReasons,
  smartCigContractTypes,
  tenderCancellationReasons,
} from '../domain/tenders/tender-rules.js';
import type { CigLookup } from '../services/cig/lookup-cig.js';
import { lotBidderContribution, tenderContributions } from '../services/payments/contributions.js';
import type {
  ContractingAuthority,
  EconomicOperator,
  Lot,
  Page,
  RegionalSection,
  SmartCig,
  Tender,
  User,
} from '../services/ports.js';

/** API responses come from here, never from rows. Labels meant for people are in Italian. */

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export const lotStateLabels = {
  issued: 'Acquisito',
  perfected: 'Perfezionato',
  cancelled: 'Cancellato',
} as const;
export const tenderStateLabels = { active: 'Attiva', cancelled: 'Cancellata' } as const;

function cancellation(
  reason: number | null,
  note: string | null,
  at: Date | null,
  labels: Record<number, string>,
) {
  if (reason === null || at === null) return null;
  return {
    reason,
    reasonLabel:
      reason === AUTOMATIC_CANCELLATION ? automaticCancellationLabel : (labels[reason] ?? String(reason)),
    note,
    cancelledAt: at.toISOString(),
  };
}

export const presentLot = (lot: Lot) => ({
  cig: lot.cig,
  tenderNumber: String(lot.tenderNumber),
  lotNumber: lot.lotNumber,
  state: lot.state,
  stateLabel: lotStateLabels[lot.state],
  object: lot.object,
  amount: formatAmount(lot.amountCents),
  cpv: lot.cpvCode,
  place: lot.istatPlaceCode,
  acquiredAt: lot.acquiredAt.toISOString(),
  perfectionDeadline: lot.perfectionDeadline,
  publicationDate: lot.publicationDate,
  invitationDate: lot.invitationDate,
  bidDeadline: iso(lot.bidDeadline),
  perfectedAt: iso(lot.perfectedAt),
  cancellation: cancellation(lot.cancelReason, lot.cancelNote, lot.cancelledAt, lotCancellationReasons),
});

function presentContributions(tender: Tender, lots: Lot[]) {
  const c = tenderContributions(tender, lots);
  return {
    startDate: c.startDate,
    authority: {
      amount: formatAmount(c.authority.amountCents),
      exempt: c.authority.exempt,
      onAmount: formatAmount(c.authority.onAmountCents),
      basis: c.authority.basis,
    },
    bidderPerLot: lots.map((l) => {
      const fee = c.bidders.get(l.id);
      return { cig: l.cig, amount: formatAmount(fee?.amountCents ?? 0), exempt: fee?.exempt ?? true };
    }),
  };
}

export const presentTender = (tender: Tender, lots: Lot[]) => ({
  tenderNumber: String(tender.tenderNumber),
  state: tender.state,
  stateLabel: tenderStateLabels[tender.state],
  object: tender.object,
  procedureType: tender.procedureTypeCode,
  sector: tender.sector,
  contractObject: tender.contractObject,
  contractingAuthority: {
    id: tender.contractingAuthorityId,
    name: tender.contractingAuthorityName,
    fiscalCode: tender.contractingAuthorityFiscalCode,
  },
  costCentreId: tender.costCentreId,
  rupUserId: tender.rupUserId,
  totalAmount: formatAmount(
    lots.filter((l) => l.state !== 'cancelled').reduce((sum, l) => sum + l.amountCents, 0),
  ),
  createdAt: tender.createdAt.toISOString(),
  cancellation: cancellation(
    tender.cancelReason,
    tender.cancelNote,
    tender.cancelledAt,
    tenderCancellationReasons,
  ),
  contributions: presentContributions(tender, lots),
  lots: lots.map(presentLot),
});

export const presentTenderSummary = (tender: Tender) => ({
  tenderNumber: String(tender.tenderNumber),
  state: tender.state,
  stateLabel: tenderStateLabels[tender.state],
  object: tender.object,
  procedureType: tender.procedureTypeCode,
  contractingAuthority: {
    id: tender.contractingAuthorityId,
    name: tender.contractingAuthorityName,
    fiscalCode: tender.contractingAuthorityFiscalCode,
  },
  lotCount: tender.lotCount,
  createdAt: tender.createdAt.toISOString(),
});

export const presentSmartCig = (s: SmartCig) => ({
  cig: s.cig,
  state: s.state,
  contractType: s.contractType,
  contractTypeLabel: smartCigContractTypes[s.contractType] ?? s.contractType,
  contractObject: s.contractObject,
  procedureType: s.procedureTypeCode,
  object: s.object,
  amount: formatAmount(s.amountCents),
  cup: s.cup,
  contractingAuthority: {
    id: s.contractingAuthorityId,
    name: s.contractingAuthorityName,
    fiscalCode: s.contractingAuthorityFiscalCode,
  },
  createdAt: s.createdAt.toISOString(),
  cancelledAt: iso(s.cancelledAt),
});

/** The public view of a CIG: what open data shows. */
export function presentCigLookup(found: CigLookup) {
  const common = {
    family: found.family,
    familyLabel: cigFamilyLabels[found.family],
    issuedDuringIncidents: found.issuedDuringIncidents,
  };
  if (found.kind === 'lot') {
    const { lot } = found;
    return {
      cig: lot.cig,
      ...common,
      kind: 'lot' as const,
      state: lot.state,
      stateLabel: lotStateLabels[lot.state],
      contractingAuthority: {
        name: lot.contractingAuthorityName,
        fiscalCode: lot.contractingAuthorityFiscalCode,
      },
      tenderNumber: String(lot.tenderNumber),
      lotNumber: lot.lotNumber,
      object: lot.object,
      amount: formatAmount(lot.amountCents),
      procedureType: lot.procedureTypeCode,
      cpv: lot.cpvCode,
      place: lot.istatPlaceCode,
      acquiredAt: lot.acquiredAt.toISOString(),
      perfectionDeadline: lot.perfectionDeadline,
      publicationDate: lot.publicationDate ?? lot.invitationDate,
      bidDeadline: iso(lot.bidDeadline),
      bidderContribution: (() => {
        const fee = lotBidderContribution(lot, lot.tenderCreatedAt);
        return { amount: formatAmount(fee.amountCents), exempt: fee.exempt };
      })(),
      authorityContribution: {
        amount: formatAmount(found.authorityContribution.amountCents),
        exempt: found.authorityContribution.exempt,
        onAmount: formatAmount(found.authorityContribution.onAmountCents),
      },
      cancellation: cancellation(lot.cancelReason, lot.cancelNote, lot.cancelledAt, lotCancellationReasons),
    };
  }
  const s = found.smartCig;
  return {
    cig: s.cig,
    ...common,
    kind: 'smart_cig' as const,
    state: s.state,
    stateLabel: s.state === 'issued' ? 'Acquisito' : 'Cancellato',
    contractingAuthority: { name: s.contractingAuthorityName, fiscalCode: s.contractingAuthorityFiscalCode },
    tenderNumber: null,
    lotNumber: null,
    object: s.object,
    amount: formatAmount(s.amountCents),
    procedureType: s.procedureTypeCode,
    cpv: null,
    place: null,
    acquiredAt: s.createdAt.toISOString(),
    perfectionDeadline: null,
    publicationDate: null,
    bidDeadline: null,
    bidderContribution: { amount: '0.00', exempt: true },
    authorityContribution: { amount: '0.00', exempt: true, onAmount: formatAmount(s.amountCents) },
    cancellation: null,
  };
}

export const presentSection = (s: RegionalSection) => ({
  code: s.code,
  name: s.name,
  regionName: s.regionName,
  regionIstat: s.regionIstat,
  provinceIstat: s.provinceIstat,
  city: s.city,
  pec: s.pec,
  aooCode: s.aooCode,
  letterheadOffices: s.letterheadOffices,
  website: s.website,
});

export const presentContractingAuthority = (ca: ContractingAuthority) => ({
  id: ca.id,
  fiscalCode: ca.fiscalCode,
  ausaCode: ca.ausaCode,
  name: ca.name,
  istatPlace: ca.istatPlaceCode,
  placeName: ca.placeName,
  regionalSection: ca.regionalSectionCode,
  pec: ca.pec,
  active: ca.active,
  costCentres: ca.costCentres.map((c) => ({ id: c.id, code: c.code, name: c.name, active: c.active })),
  createdAt: ca.createdAt.toISOString(),
  updatedAt: ca.updatedAt.toISOString(),
});

export const presentEconomicOperator = (oe: EconomicOperator) => ({
  id: oe.id,
  fiscalCode: oe.fiscalCode,
  vatNumber: oe.vatNumber,
  name: oe.name,
  pec: oe.pec,
  createdAt: oe.createdAt.toISOString(),
  updatedAt: oe.updatedAt.toISOString(),
});

export const presentUser = (u: User) => ({
  id: u.id,
  name: u.name,
  email: u.email,
  fiscalCode: u.fiscalCode,
  role: u.role,
  contractingAuthorityId: u.contractingAuthorityId,
  economicOperatorId: u.economicOperatorId,
  regionalSection: u.regionalSectionCode,
  active: u.active,
  createdAt: u.createdAt.toISOString(),
});

export const presentPage = <T, V>(
  page: Page<T>,
  request: { limit: number; offset: number },
  present: (t: T) => V,
) => ({
  items: page.items.map(present),
  total: page.total,
  limit: request.limit,
  offset: request.offset,
});
