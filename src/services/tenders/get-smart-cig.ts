import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { SmartCig } from '../../domain/tenders/tender.js';

export async function getSmartCig(
  deps: Pick<ServiceDeps, 'store'>,
  cig: string,
  actor: Actor,
): Promise<SmartCig> {
  const found = await deps.store.smartCigs.findByCig(cig);
  if (!found || !canSeeAuthority(actor, found.contractingAuthorityId, found.regionalSectionCode)) {
    throw notFound(`SmartCIG ${cig}`);
  }
  return found;
}
