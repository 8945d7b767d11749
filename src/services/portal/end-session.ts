import type { ServiceDeps } from '../context.js';
import { sessionTokenHash } from './session-token.js';

/** Ends the session of `token` (signing out): whoever holds the token may end it. */
export async function endSession(deps: Pick<ServiceDeps, 'store' | 'clock'>, token: string): Promise<void> {
  await deps.store.webSessions.endWebSession(sessionTokenHash(token), deps.clock.now());
}
