import { createHash, randomBytes } from 'node:crypto';
import { checkServices } from '../../domain/continuity/continuity-rules.js';
import { serviceStateLabels } from '../../domain/continuity/status-view.js';
import { incidentStateLabels } from '../../domain/continuity/status-view.js';
import { DomainError, invalidField, notFound } from '../../domain/shared/errors.js';
import { audit, type ServiceDeps } from '../context.js';
import type { IncidentRecord, MaintenanceRecord } from '../continuity/ports.js';
import type { Store } from '../ports.js';
import type { NewOutboxMessage, Subscription } from './ports.js';
import { newMessageId } from './message-id.js';
import { type Actor, systemActor } from '../../domain/registry/actor.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** One confirmation message per e-mail address per hour at most. */
export const CONFIRMATION_INTERVAL_MS = 3_600_000;

/**
 * Anyone subscribes to the notifications of some services: by e-mail (active once the link in the
 * confirmation message is followed: double opt-in) or by webhook (active at once; every call is signed
 * with the secret returned here, HMAC-SHA256).
 */
export async function subscribe(
  deps: Deps,
  input: {
    channel: 'email' | 'webhook';
    address: string;
    services: string[];
    linkBase: string;
    /** Whether a webhook may be a plain http:// URL (test and intranet receivers); https otherwise. */
    allowLocalReceivers?: boolean;
    /**
     * Without local receivers: whether a host resolves to public addresses only (not loopback, private,
     * link-local, metadata...). The same check as at delivery (adapters/mail/webhooks.ts).
     */
    isPublicHost?: (hostname: string) => Promise<boolean>;
  },
): Promise<{ subscription: Subscription; token: string | null; secret: string | null }> {
  const now = deps.clock.now();
  const services = checkServices(input.services);
  const address = input.address.trim();
  if (input.channel === 'email' && !EMAIL.test(address))
    throw invalidField('address', 'address is not an e-mail address');
  if (
    input.channel === 'webhook' &&
    !(input.allowLocalReceivers ? /^https?:\/\/\S+$/ : /^https:\/\/\S+$/).test(address)
  )
    throw invalidField(
      'address',
      input.allowLocalReceivers ? 'address must be an http(s) URL' : 'address must be an https URL',
    );
  if (input.channel === 'webhook' && !input.allowLocalReceivers) {
    const host = new URL(address).hostname;
    const isPublic = await (input.isPublicHost ?? (() => Promise.resolve(false)))(host).catch(() => false);
    if (!isPublic)
      throw invalidField(
        'address',
        `address: ${host} does not resolve to public addresses only (local, private, link-local and metadata addresses are refused)`,
      );
  }
  const token = randomBytes(24).toString('base64url');
  const secret = input.channel === 'webhook' ? randomBytes(32).toString('base64url') : null;
  const subscription: Subscription = {
    id: deps.ids.uuid(),
    channel: input.channel,
    address: input.channel === 'email' ? address.toLowerCase() : address,
    secret,
    state: input.channel === 'webhook' ? 'active' : 'pending',
    services,
    createdAt: now,
  };
  return deps.store.transaction(async (store) => {
    if (subscription.channel === 'email') {
      // At most one confirmation message per address per hour: a repeated request gets the same answer
      // (the pending subscription) and sends nothing, so the form cannot be used to flood an address.
      const pending = await store.notices.lockPendingSubscription(
        subscription.address,
        new Date(now.getTime() - CONFIRMATION_INTERVAL_MS),
      );
      if (pending) return { subscription: pending, token: null, secret: null };
    }
    await store.notices.insertSubscription({ ...subscription, confirmTokenSha256: sha(token) });
    if (input.channel === 'email') {
      await store.notices.insertOutbox(
        [
          {
            id: deps.ids.uuid(),
            kind: 'confirmation',
            channel: 'email',
            relayId: null,
            subscriptionId: subscription.id,
            eventId: null,
            recipientName: subscription.address,
            address: subscription.address,
            contractingAuthorityId: null,
            idempotencyKey: `confirm:${subscription.id}`,
            messageId: newMessageId(`confirm.${subscription.id}`),
            subject: 'Conferma la tua iscrizione agli avvisi sullo stato dei servizi',
            body: [
              'Hai chiesto di ricevere gli avvisi sullo stato dei servizi:',
              ...services.map((s) => `- ${s}`),
              '',
              `Per confermare apri: ${input.linkBase}/iscrizioni/conferma?token=${token}`,
              `Per annullare in qualsiasi momento: ${input.linkBase}/iscrizioni/annulla?token=${token}`,
              '',
              'Se non hai fatto tu la richiesta, ignora questo messaggio.',
            ].join('\n'),
            nextAttemptAt: now,
            createdAt: now,
          },
        ],
        now,
      );
    }
    await store.audit.append([
      audit(
        systemActor('subscriptions'),
        now,
        'subscription.created',
        { type: 'subscription', id: subscription.id },
        null,
        { channel: subscription.channel, services },
      ),
    ]);
    return { subscription, token, secret };
  });
}

export async function confirmSubscription(deps: Deps, token: string, cancel: boolean): Promise<Subscription> {
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const s = await store.notices.findSubscriptionByToken(sha(token));
    if (!s) throw notFound('subscription');
    if (cancel) {
      if (s.state !== 'unsubscribed') await store.notices.setSubscriptionState(s.id, 'unsubscribed', now);
      return { ...s, state: 'unsubscribed' };
    }
    if (s.state === 'unsubscribed')
      throw new DomainError('invalid_state', 'the subscription was cancelled', { reason: 'unsubscribed' });
    if (s.state === 'pending') await store.notices.setSubscriptionState(s.id, 'active', now);
    return { ...s, state: 'active' };
  });
}

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
  const recorded = await store.notices.insertEvent({
    id: deps.ids.uuid(),
    eventKey: event.key,
    kind: event.kind,
    services: event.services,
    payload: event.payload,
    createdAt: now,
  });
  if (!recorded) return false;
  const subscribers = await store.notices.activeSubscriptions(event.services);
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
  if (messages.length > 0) await store.notices.insertOutbox(messages, now);
  return true;
}

export function incidentEvent(incident: IncidentRecord) {
  const last = incident.updates.at(-1);
  // One event per timeline entry that changed something (the caller decides); the key makes a replay harmless.
  const key = `incident:${incident.code}:${incident.updates.length}`;
  const label =
    incident.state === 'investigating' && incident.updates.length <= 1
      ? 'Nuovo incidente'
      : incidentStateLabels[incident.state];
  return {
    key,
    kind:
      incident.updates.length <= 1
        ? 'incident.opened'
        : incident.state === 'resolved'
          ? 'incident.resolved'
          : 'incident.changed',
    services: incident.services,
    subject: `[${label}] ${incident.code} - ${incident.title}`,
    text: [
      `${incident.code} - ${incident.title}`,
      `Stato: ${incidentStateLabels[incident.state]}; impatto: ${serviceStateLabels[incident.impact]}`,
      `Servizi: ${incident.services.join(', ')}`,
      last ? `\n${last.message}` : '',
    ].join('\n'),
    // Deliveries run in parallel and may arrive out of order: `sequence` orders an incident's events.
    payload: {
      sequence: incident.updates.length,
      incident: {
        code: incident.code,
        title: incident.title,
        state: incident.state,
        impact: incident.impact,
        services: incident.services,
        startedAt: incident.startedAt,
        resolvedAt: incident.resolvedAt,
      },
    },
  };
}

export function maintenanceEvent(m: MaintenanceRecord, phase: 'started' | 'ended') {
  return {
    key: `maintenance:${m.id}:${phase}`,
    kind: `maintenance.${phase}`,
    services: m.services,
    subject: `[Manutenzione ${phase === 'started' ? 'iniziata' : 'terminata'}] ${m.title}`,
    text: `${m.title}\n${m.description}\nServizi: ${m.services.join(', ')}`,
    payload: {
      maintenance: {
        id: m.id,
        title: m.title,
        services: m.services,
        startsAt: m.startsAt,
        endsAt: m.endsAt,
        phase,
      },
    },
  };
}

/** The job: maintenance starts and ends by the clock; each start and end is notified once. */
export async function emitMaintenanceEvents(deps: Deps): Promise<{ emitted: number }> {
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    let emitted = 0;
    for (const m of await store.continuity.listMaintenances({
      since: new Date(now.getTime() - 7 * 86_400_000),
    })) {
      if (m.cancelledAt || m.startsAt > now) continue;
      if (await emitEvent(store, deps, now, maintenanceEvent(m, 'started'))) emitted += 1;
      if (m.endsAt <= now && (await emitEvent(store, deps, now, maintenanceEvent(m, 'ended')))) emitted += 1;
    }
    return { emitted };
  });
}

export type { Actor };
