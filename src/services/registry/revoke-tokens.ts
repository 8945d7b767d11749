import { notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

export async function revokeTokens(deps: Deps, userId: string, actor: Actor): Promise<{ revoked: number }> {
  requireRole(actor, 'admin');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    if (!(await store.users.findUser(userId))) throw notFound('user');
    const revoked = await store.tokens.revokeTokens(userId, now);
    await store.audit.append([
      audit(actor, now, 'user.tokens_revoked', { type: 'user', id: userId }, null, { revoked }),
    ]);
    return { revoked };
  });
}
