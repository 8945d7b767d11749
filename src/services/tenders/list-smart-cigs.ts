import { requireRole, type ServiceDeps } from '../context.js';
import type { Page } from '../ports.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { SmartCig } from '../../domain/tenders/tender.js';

export async function listSmartCigs(
  deps: Pick<ServiceDeps, 'store'>,
  page: { limit: number; offset: number },
  actor: Actor,
): Promise<Page<SmartCig>> {
  const rup = requireRole(actor, 'rup', 'admin', 'authority_staff');
  return deps.store.smartCigs.list({
    ...page,
    ...(rup.role === 'rup' ? { contractingAuthorityId: rup.contractingAuthorityId ?? '' } : {}),
  });
}
