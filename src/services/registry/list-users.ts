import { requireRole, type ServiceDeps } from '../context.js';
import type { Page } from '../ports.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Role, User } from '../../domain/registry/registry.js';

export async function listUsers(
  deps: Pick<ServiceDeps, 'store'>,
  filter: {
    limit: number;
    offset: number;
    role?: Role | undefined;
    contractingAuthorityId?: string | undefined;
  },
  actor: Actor,
): Promise<Page<User>> {
  requireRole(actor, 'admin');
  return deps.store.users.listUsers(filter);
}
