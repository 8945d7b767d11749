import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type ServiceDeps } from '../context.js';
import type { Page } from '../ports.js';
import type { TenderState } from '../../domain/tenders/tender-rules.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Lot, Tender } from '../../domain/tenders/tender.js';

type Deps = Pick<ServiceDeps, 'store'>;

/** A tender with its lots, for those who may see it (others get "not found", not "forbidden"). */
export async function getTender(
  deps: Deps,
  tenderNumber: number,
  actor: Actor,
): Promise<{ tender: Tender; lots: Lot[] }> {
  const tender = await deps.store.tenders.findByNumber(tenderNumber);
  if (!tender || !canSeeAuthority(actor, tender.contractingAuthorityId, tender.regionalSectionCode)) {
    throw notFound(`tender ${tenderNumber}`);
  }
  return { tender, lots: await deps.store.lots.listByTender(tender.id) };
}

/** Tenders the actor may see: a RUP their authority's, regional staff their region's, staff all. */
export async function listTenders(
  deps: Deps,
  filter: { limit: number; offset: number; state?: TenderState | undefined },
  actor: Actor,
): Promise<Page<Tender>> {
  if (actor.kind === 'user') {
    switch (actor.role) {
      case 'rup':
        return deps.store.tenders.list({
          ...filter,
          contractingAuthorityId: actor.contractingAuthorityId ?? '',
        });
      case 'regional_staff':
        return deps.store.tenders.list({ ...filter, regionalSectionCode: actor.regionalSectionCode ?? '' });
      case 'economic_operator':
        return { items: [], total: 0 };
      default:
        break;
    }
  }
  return deps.store.tenders.list(filter);
}

export async function getLot(deps: Deps, cig: string, actor: Actor): Promise<Lot> {
  const lot = await deps.store.lots.findByCig(cig);
  if (!lot || !canSeeAuthority(actor, lot.contractingAuthorityId, lot.regionalSectionCode)) {
    throw notFound(`lot with CIG ${cig}`);
  }
  return lot;
}
