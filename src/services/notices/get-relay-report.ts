import type { Actor, ServiceDeps } from '../context.js';
import type { OutboxMessage } from './ports.js';
import { getRelay, type RelayStatus } from './get-relay.js';

export interface RelayReport {
  status: RelayStatus;
  recipients: (OutboxMessage & { events: { at: Date; event: string; detail: string | null }[] })[];
}

/** A relay's per-recipient delivery report, for whoever may read the relay (its section, the Authority). */
export async function getRelayReport(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<RelayReport> {
  const status = await getRelay(deps, id, actor);
  return { status, recipients: await deps.store.relays.relayRecipients(status.relay.id) };
}
