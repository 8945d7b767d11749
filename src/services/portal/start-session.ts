import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, notFound } from '../../domain/shared/errors.js';
import { actorFromUser, audit, type ServiceDeps, type UserActor } from '../context.js';
import type { Role, User } from '../ports.js';

/** A portal session lasts this long from sign-in (then the user signs in again). */
export const SESSION_HOURS = 8;

type Deps = Pick<ServiceDeps, 'store' | 'clock'>;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

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
    const user = await store.registry.findUser(input.userId);
    if (!user) throw notFound('user');
    if (!user.active)
      throw new DomainError('invalid_state', 'the user is not active', { reason: 'user_inactive' });
    const token = randomBytes(32).toString('base64url');
    await store.registry.insertWebSession({
      tokenSha256: sha256(token),
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

/** The actor of a live session, or undefined (unknown, ended, expired, or the user deactivated). */
export async function resolveSession(deps: Deps, token: string): Promise<UserActor | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const user = await deps.store.registry.findUserByWebSession(sha256(token), deps.clock.now());
  return user && actorFromUser(user);
}

export async function endSession(deps: Deps, token: string): Promise<void> {
  await deps.store.registry.endWebSession(sha256(token), deps.clock.now());
}

/**
 * The CSRF token of a session: derived from the session token, which only the browser holds (in an
 * http-only cookie), so another site can neither read nor compute it.
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHash('sha256').update(`gara-csrf:${sessionToken}`).digest('base64url');
}

export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Users a visitor may sign in as with the demo sign-in: a few of each role. */
export async function demoUsers(deps: Pick<ServiceDeps, 'store'>, perRole = 6): Promise<Map<Role, User[]>> {
  const roles: Role[] = ['rup', 'economic_operator', 'regional_staff', 'authority_staff', 'admin'];
  const out = new Map<Role, User[]>();
  for (const role of roles) {
    const page = await deps.store.registry.listUsers({ role, limit: perRole, offset: 0 });
    out.set(
      role,
      page.items.filter((u) => u.active),
    );
  }
  return out;
}
