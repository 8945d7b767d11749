import type { ServiceDeps } from '../context.js';
import type { Store } from '../ports.js';
import type { NewOutboxMessage } from './ports.js';
import { newMessageId } from './message-id.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

/**
 * Records a change once (by its key) and queues one message per active subscriber of its services, in
 * the caller's transaction: an unchanged state is never notified twice.
 */
export async function emitEvent(
  store: Store,
  deps: Pick<Deps, 'ids'>,
  now: Date,
  event: {
    key: string;
    kind: string;
    services: string[];
    subject: string;
    text: string;
    payload: Record<string, unknown>;
  },
): Promise<boolean> {
  const recorded = await store.subscriptions.insertEvent({
    id: deps.ids.uuid(),
    eventKey: event.key,
    kind: event.kind,
    services: event.services,
    payload: event.payload,
    createdAt: now,
  });
  if (!recorded) return false;
  const subscribers = await store.subscriptions.activeSubscriptions(event.services);
  const messages: NewOutboxMessage[] = subscribers.map((s) => ({
    id: deps.ids.uuid(),
    kind: 'notification',
    channel: s.channel,
    relayId: null,
    subscriptionId: s.id,
    eventId: recorded.id,
    recipientName: s.address,
    address: s.address,
    contractingAuthorityId: null,
    idempotencyKey: `event:${recorded.id}:${s.id}`,
    messageId: newMessageId(`event.${recorded.id}.${s.id}`),
    subject: event.subject,
    body:
      s.channel === 'webhook'
        ? JSON.stringify({ id: recorded.id, kind: event.kind, at: now.toISOString(), ...event.payload })
        : event.text,
    nextAttemptAt: now,
    createdAt: now,
  }));
  if (messages.length > 0) await store.outbox.insertOutbox(messages, now);
  return true;
}
