import { notFound } from '../../domain/shared/errors.js';
import type { Actor, ServiceDeps } from '../context.js';
import { getRelay } from './relays.js';

/** The transmission letter of a relay (PDF), for whoever may read the relay (its section, the Authority). */
export async function getRelayLetter(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<Buffer> {
  const { relay } = await getRelay(deps, id, actor);
  const pdf = await deps.store.notices.relayLetter(relay.id);
  if (!pdf) throw notFound(`letter of relay ${id}`);
  return pdf;
}
