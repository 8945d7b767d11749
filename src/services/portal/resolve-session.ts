import { actorFromUser, type ServiceDeps, type UserActor } from '../context.js';
import { sessionTokenHash } from './session-token.js';

/** The actor of a live session, or undefined (unknown, ended, expired, or the user deactivated). */
export async function resolveSession(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  token: string,
): Promise<UserActor | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const user = await deps.store.webSessions.findUserByWebSession(sessionTokenHash(token), deps.clock.now());
  return user && actorFromUser(user);
}
