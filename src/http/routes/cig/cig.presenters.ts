import { cigFamilyLabels, type CigValidation } from '../../../domain/cig/cig.js';
import { formatAmount } from '../../../domain/shared/money.js';
import type { CigLookup } from '../../../services/cig/lookup-cig.js';
import { lotBidderContribution } from '../../../services/payments/contributions.js';
import { iso, lotStateLabels, presentLotCancellation } from '../tenders/tenders.presenters.js';

export const presentValidation = (v: CigValidation) =>
  v.valid
    ? {
        code: v.code,
        valid: true,
        family: v.family,
        familyLabel: cigFamilyLabels[v.family],
        reason: null,
        message: null,
      }
    : { code: v.code, valid: false, family: null, familyLabel: null, reason: v.reason, message: v.message };

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
      cancellation: presentLotCancellation(lot),
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
