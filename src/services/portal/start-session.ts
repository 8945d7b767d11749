import { randomBytes } from 'node:crypto';
import { DomainError, notFound } from '../../domain/shared/errors.js';
import { actorFromUser, audit, type ServiceDeps } from '../context.js';
import type { User } from '../ports.js';
import { sessionTokenHash } from './session-token.js';

/** A portal session lasts this long from sign-in (then the user signs in again). */
export const SESSION_HOURS = 8;

type Deps = Pick<ServiceDeps, 'store' | 'clock'>;

/**
 * Starts a session for `userId`. `signIn` says how the user was identified: `demo` (a visitor picked a
 * seeded user; allowed only where the demo sign-in is enabled) or `oidc`. Returns the token for the
 * cookie; the database keeps its SHA-256 only.
 */
export async function startSession(
  deps: Deps,
  input: { userId: string; signIn: 'demo' | 'oidc' },
): Promise<{ token: string; user: User; expiresAt: Date }> {
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  return deps.store.transaction(async (store) => {
    const user = await store.users.findUser(input.userId);
    if (!user) throw notFound('user');
    if (!user.active)
      throw new DomainError('invalid_state', 'the user is not active', { reason: 'user_inactive' });
    const token = randomBytes(32).toString('base64url');
    await store.webSessions.insertWebSession({
      tokenSha256: sessionTokenHash(token),
      userId: user.id,
      createdAt: now,
      expiresAt,
      signIn: input.signIn,
    });
    await store.audit.append([
      audit(actorFromUser(user), now, 'user.signed_in', { type: 'user', id: user.id }, null, {
        signIn: input.signIn,
      }),
    ]);
    return { token, user, expiresAt };
  });
}
