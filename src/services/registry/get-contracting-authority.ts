import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { ContractingAuthority } from '../../domain/registry/registry.js';

export async function getContractingAuthority(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<ContractingAuthority> {
  const found = await deps.store.authorities.findContractingAuthority(id);
  if (!found || !canSeeAuthority(actor, found.id, found.regionalSectionCode))
    throw notFound('contracting authority');
  return found;
}
