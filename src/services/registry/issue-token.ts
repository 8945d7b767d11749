import { randomBytes } from 'node:crypto';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, requireRole, type ServiceDeps } from '../context.js';
import { checkName } from './registry-input.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { User } from '../../domain/registry/registry.js';
import { hashToken } from './token-hash.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

/** Issues a bearer token for a user; only its hash is stored, the token is shown once. */
export async function issueToken(
  deps: Deps,
  input: { userId: string; label: string; expiresAt?: Date | undefined },
  actor: Actor,
): Promise<{ token: string; user: User }> {
  if (actor.kind !== 'system') requireRole(actor, 'admin');
  const now = deps.clock.now();
  const label = checkName(input.label, 'label', 100);
  if (input.expiresAt && input.expiresAt <= now)
    throw invalidField('expiresAt', 'expiresAt must be in the future');
  return deps.store.transaction(async (store) => {
    const user = await store.users.findUser(input.userId);
    if (!user) throw notFound('user');
    if (!user.active)
      throw new DomainError('invalid_state', 'the user is not active', { reason: 'user_inactive' });
    const token = `gara_${randomBytes(32).toString('base64url')}`;
    await store.tokens.insertToken({
      id: deps.ids.uuid(),
      userId: user.id,
      sha256: hashToken(token),
      label,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
    });
    await store.audit.append([
      audit(actor, now, 'user.token_issued', { type: 'user', id: user.id }, null, { label }),
    ]);
    return { token, user };
  });
}
