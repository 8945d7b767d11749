import { validateCig, type CigFamily } from '../../domain/cig/cig.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';
import { authorityContribution, type TenderContributions } from '../payments/contributions.js';
import type { Lot, SmartCig } from '../../domain/tenders/tender.js';

export type CigLookup = (
  | {
      kind: 'lot';
      family: CigFamily;
      lot: Lot;
      /** What the contracting authority owes for the whole tender (lots not cancelled). */
      authorityContribution: TenderContributions['authority'];
    }
  | { kind: 'smart_cig'; family: CigFamily; smartCig: SmartCig }
) & {
  /**
   * Incidents under way when the code was issued: the code stays valid (6 May 2021 notice); the
   * marking is derived from the recorded outage windows, so an incident recorded later marks it too.
   */
  issuedDuringIncidents: string[];
};

async function incidentsAt(deps: Pick<ServiceDeps, 'store'>, service: string, at: Date): Promise<string[]> {
  return (await deps.store.continuity.incidentsTouching([service], at, new Date(at.getTime() + 1))).map(
    (i) => i.code,
  );
}

/** Anyone can look up a CIG: what it is, whose it is, its state (cancelled codes stay visible). */
export async function lookupCig(deps: Pick<ServiceDeps, 'store'>, code: string): Promise<CigLookup> {
  const validation = validateCig(code);
  if (!validation.valid) {
    throw new DomainError(
      'validation_failed',
      `${validation.code} is not a valid CIG: ${validation.message}`,
      {
        field: 'code',
        reason: validation.reason,
      },
    );
  }
  if (validation.family === 'pcp') {
    // The lot and its tender's total in one statement (not every lot of the tender).
    const found = await deps.store.lots.findWithTenderTotal(validation.code);
    if (found)
      return {
        kind: 'lot',
        family: validation.family,
        lot: found.lot,
        authorityContribution: authorityContribution(
          { createdAt: found.lot.tenderCreatedAt },
          found.tenderTotalCents,
        ),
        issuedDuringIncidents: await incidentsAt(deps, 'cig_issuance', found.lot.acquiredAt),
      };
  } else if (validation.family === 'smart_cig') {
    const smartCig = await deps.store.smartCigs.findByCig(validation.code);
    if (smartCig) {
      return {
        kind: 'smart_cig',
        family: validation.family,
        smartCig,
        issuedDuringIncidents: await incidentsAt(deps, 'smart_cig', smartCig.createdAt),
      };
    }
  }
  throw new DomainError(
    'not_found',
    validation.family === 'simog_v1'
      ? `${validation.code} is a valid SIMOG v1 code, but legacy numeric codes are not held in this registry`
      : `${validation.code} is a valid code but was not issued by this registry`,
    { reason: 'cig_unknown' },
  );
}
