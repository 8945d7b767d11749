import { notFound } from '../../domain/shared/errors.js';
import { type Actor, type ServiceDeps } from '../context.js';
import type { Relay } from './ports.js';
import { getRelay } from './get-relay.js';

/** The letter (PDF) a relay sent, for whoever may see the relay (`getRelay`). */
export async function getRelayLetter(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<{ relay: Relay; pdf: Buffer }> {
  const { relay } = await getRelay(deps, id, actor);
  const pdf = await deps.store.relays.relayLetter(relay.id);
  if (!pdf) throw notFound(`letter of relay ${id}`);
  return { relay, pdf };
}
