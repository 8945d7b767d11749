import { formatAmount } from '../../../domain/shared/money.js';
import {
  AUTOMATIC_CANCELLATION,
  automaticCancellationLabel,
  lotCancellationReasons,
  smartCigContractTypes,
  tenderCancellationReasons,
} from '../../../domain/tenders/tender-rules.js';
import { tenderContributions } from '../../../services/payments/contributions.js';
import type { AuditRecord, Lot, LotFacts, SmartCig, Tender } from '../../../services/ports.js';

/** API responses come from here, never from rows. Labels meant for people are in Italian. */

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export const lotStateLabels = {
  issued: 'Acquisito',
  perfected: 'Perfezionato',
  cancelled: 'Cancellato',
} as const;
export const tenderStateLabels = { active: 'Attiva', cancelled: 'Cancellata' } as const;

export function presentCancellation(
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

export const presentLotCancellation = (lot: LotFacts) =>
  presentCancellation(lot.cancelReason, lot.cancelNote, lot.cancelledAt, lotCancellationReasons);

export const presentLot = (lot: LotFacts) => ({
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
  cancellation: presentLotCancellation(lot),
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

export const presentTender = ({ tender, lots }: { tender: Tender; lots: Lot[] }) => ({
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
  cancellation: presentCancellation(
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

/** An audit trail (tender or lot). */
export const presentHistory = (records: AuditRecord[]) => ({
  items: records.map((r) => ({
    at: r.occurredAt.toISOString(),
    actor: r.actor,
    action: r.action,
    before: r.before,
    after: r.after,
  })),
});
