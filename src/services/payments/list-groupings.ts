import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { Page } from '../ports.js';
import type { SaGrouping } from './ports.js';

/** Monthly groupings of contributions: a RUP sees their own authority's, Authority staff all of them. */
export async function listGroupings(
  deps: Pick<ServiceDeps, 'store'>,
  page: { limit: number; offset: number },
  actor: Actor,
): Promise<Page<SaGrouping>> {
  const user = requireRole(actor, 'rup', 'authority_staff', 'admin');
  return deps.store.groupings.listGroupings({
    ...page,
    ...(user.role === 'rup' ? { contractingAuthorityId: user.contractingAuthorityId ?? '' } : {}),
  });
}
