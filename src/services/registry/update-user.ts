import { notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { checkEmail, checkName } from './registry-input.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { User } from '../../domain/registry/registry.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

export async function updateUser(
  deps: Deps,
  id: string,
  input: { name?: string | undefined; email?: string | undefined; active?: boolean | undefined },
  actor: Actor,
): Promise<User> {
  requireRole(actor, 'admin');
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const before = await store.users.findUser(id);
    if (!before) throw notFound('user');
    await store.users.updateUser(
      id,
      {
        ...(input.name !== undefined ? { name: checkName(input.name, 'name') } : {}),
        ...(input.email !== undefined ? { email: checkEmail(input.email, 'email') } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
      },
      now,
    );
    if (input.active === false) await store.tokens.revokeTokens(id, now);
    const after = (await store.users.findUser(id)) as User;
    await store.audit.append([audit(actor, now, 'user.updated', { type: 'user', id }, before, after)]);
    return after;
  });
}
