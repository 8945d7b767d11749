import { type Actor, type ServiceDeps } from '../context.js';
import type { Notice, OutboxMessage } from './ports.js';
import { getRelay, type RelayStatus } from './get-relay.js';

export type RelayRecipient = OutboxMessage & { events: { at: Date; event: string; detail: string | null }[] };

/**
 * A relay with its notice and every recipient's message and attempts: for whoever may see the relay
 * (`getRelay`: the staff of its section, the Authority's staff, administrators).
 */
export async function getRelayDetails(
  deps: Pick<ServiceDeps, 'store'>,
  id: string,
  actor: Actor,
): Promise<RelayStatus & { notice: Notice | undefined; recipients: RelayRecipient[] }> {
  const status = await getRelay(deps, id, actor);
  const notice = await deps.store.notices.findNotice(status.relay.noticeId);
  const recipients = await deps.store.relays.relayRecipients(status.relay.id);
  return { ...status, notice, recipients };
}
