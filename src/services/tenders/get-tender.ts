import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Lot, Tender } from '../../domain/tenders/tender.js';

// getLot lives in get-lot.ts; re-exported for services/simog (edited elsewhere), which imports it from here.
export { getLot } from './get-lot.js';

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
