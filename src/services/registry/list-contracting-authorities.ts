import { requireRole, type ServiceDeps } from '../context.js';
import type { Page } from '../ports.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { ContractingAuthority } from '../../domain/registry/registry.js';

export async function listContractingAuthorities(
  deps: Pick<ServiceDeps, 'store'>,
  filter: { limit: number; offset: number; q?: string | undefined; regionalSection?: string | undefined },
  actor: Actor,
): Promise<Page<ContractingAuthority>> {
  const user = requireRole(actor, 'admin', 'authority_staff', 'regional_staff', 'rup');
  if (user.role === 'rup') {
    const own =
      user.contractingAuthorityId &&
      (await deps.store.authorities.findContractingAuthority(user.contractingAuthorityId));
    return own ? { items: [own], total: 1 } : { items: [], total: 0 };
  }
  const section = user.role === 'regional_staff' ? (user.regionalSectionCode ?? '') : filter.regionalSection;
  return deps.store.authorities.listContractingAuthorities({ ...filter, regionalSectionCode: section });
}
