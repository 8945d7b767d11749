import { audit } from '../context.js';
import { ticketHash, type SimogCall, type SimogDeps } from './simog-session.js';

/** chiudiSessione: the ticket is revoked at once (and forgotten by this process's cache). */
export async function closeSession(
  deps: Pick<SimogDeps, 'clock' | 'simog' | 'sessions'>,
  input: { ticket?: string | undefined },
  call: SimogCall,
): Promise<{ message: string }> {
  const actor = await deps.sessions.actorOf(deps, input.ticket, call);
  const now = deps.clock.now();
  await deps.simog.transaction(async ({ store, simog }) => {
    await simog.revokeTicket(ticketHash(input.ticket ?? ''), now);
    await store.audit.append([
      audit(actor, now, 'simog.session_closed', { type: 'user', id: actor.userId }, null, null),
    ]);
  });
  deps.sessions.forget(input.ticket ?? '');
  return { message: 'Sessione chiusa' };
}
