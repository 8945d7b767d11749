import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Lot } from '../../domain/tenders/tender.js';

type Deps = Pick<ServiceDeps, 'store'>;

export async function getLot(deps: Deps, cig: string, actor: Actor): Promise<Lot> {
  const lot = await deps.store.lots.findByCig(cig);
  if (!lot || !canSeeAuthority(actor, lot.contractingAuthorityId, lot.regionalSectionCode)) {
    throw notFound(`lot with CIG ${cig}`);
  }
  return lot;
}
