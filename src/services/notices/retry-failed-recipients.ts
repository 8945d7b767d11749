import type { ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import { getRelay } from './get-relay.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock'>;

/** Sends again to the recipients of a relay that failed, and only to them. */
export async function retryFailedRecipients(deps: Deps, id: string, actor: Actor): Promise<number> {
  const { relay } = await getRelay(deps, id, actor);
  return deps.store.relays.retryFailed(relay.id, deps.clock.now());
}
