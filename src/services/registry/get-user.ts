import { notFound } from '../../domain/shared/errors.js';
import { requireRole, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { User } from '../../domain/registry/registry.js';

export async function getUser(deps: Pick<ServiceDeps, 'store'>, id: string, actor: Actor): Promise<User> {
  const user = requireRole(actor, 'admin', 'authority_staff', 'regional_staff', 'rup', 'economic_operator');
  if (user.role !== 'admin' && user.userId !== id) throw notFound('user');
  const found = await deps.store.users.findUser(id);
  if (!found) throw notFound('user');
  return found;
}
