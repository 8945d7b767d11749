import { createHash, randomBytes } from 'node:crypto';
import { checkServices } from '../../domain/continuity/continuity-rules.js';
import { invalidField } from '../../domain/shared/errors.js';
import { audit, type ServiceDeps } from '../context.js';
import type { Subscription } from './ports.js';
import { newMessageId } from './message-id.js';
import { systemActor } from '../../domain/registry/actor.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

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
      const pending = await store.subscriptions.lockPendingSubscription(
        subscription.address,
        new Date(now.getTime() - CONFIRMATION_INTERVAL_MS),
      );
      if (pending) return { subscription: pending, token: null, secret: null };
    }
    await store.subscriptions.insertSubscription({ ...subscription, confirmTokenSha256: sha(token) });
    if (input.channel === 'email') {
      await store.outbox.insertOutbox(
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
