import type { ServiceDeps } from '../context.js';
import { DeliveryError, type Mailer, type OutboxMessage, type WebhookSender } from './ports.js';

export interface DispatchOptions {
  mailer: Mailer;
  webhooks: WebhookSender;
  /** Messages claimed per pass. */
  batchSize?: number;
  /** Messages sent at once. */
  concurrency?: number;
  /** A message claimed but not finished (crash) is sent again after this lease. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Token bucket: at most this many messages per second. */
  limiter?: RateLimiter;
  /** Stop taking claimed messages (shutdown): those not started go back to the queue at once. */
  signal?: AbortSignal;
  /** Letters of recent relays, so that 10,000 messages of one relay read its PDF once (the worker keeps one). */
  letters?: LetterCache;
}

/** What every message of a relay carries: its sender and attachments. */
export interface RelayEnvelope {
  from: { name: string; address: string };
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

/** The sender and attachments of each relay's messages, by relay id; keeps the last few relays. */
export class LetterCache {
  readonly #entries = new Map<string, Promise<RelayEnvelope>>();
  constructor(private readonly size = 8) {}
  get(relayId: string, load: () => Promise<RelayEnvelope>) {
    let entry = this.#entries.get(relayId);
    if (!entry) {
      entry = load();
      entry.catch(() => this.#entries.delete(relayId));
      this.#entries.set(relayId, entry);
      if (this.#entries.size > this.size) this.#entries.delete(this.#entries.keys().next().value as string);
    }
    return entry;
  }
}

/** At most `ratePerSecond` acquisitions per second, smoothly (a token every 1/rate s, burst 1 s). */
export class RateLimiter {
  #tokens: number;
  #last = Date.now();
  constructor(private readonly ratePerSecond: number) {
    this.#tokens = ratePerSecond;
  }
  async acquire(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.#tokens = Math.min(
        this.ratePerSecond,
        this.#tokens + ((now - this.#last) / 1000) * this.ratePerSecond,
      );
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.#tokens) / this.ratePerSecond) * 1000)));
    }
  }
}

/** 30 s, 1, 2, 4 ... min, at most an hour. */
export const backoffMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

type Deps = Pick<ServiceDeps, 'store' | 'clock'>;

/** The name under which the segnatura travels with the registered message. */
export const SEGNATURA_FILE_NAME = 'segnatura.xml';

/**
 * One pass of the outbox worker: claims due messages (a lease marks them as being sent), sends them,
 * records the outcome. Transient failures are retried with backoff, permanent ones (5xx, refused
 * address, 4xx from a webhook) are marked failed with their reason. After a crash, a claimed message is
 * sent again when its lease runs out, with the same Message-ID (see docs: at-least-once on the wire).
 */
export async function dispatchDue(
  deps: Deps,
  options: DispatchOptions,
): Promise<{ sent: number; failed: number; retried: number }> {
  const now = deps.clock.now();
  const lease = options.leaseMs ?? 60_000;
  const claimed = await deps.store.outbox.claimDue(
    now,
    options.batchSize ?? 200,
    new Date(now.getTime() + lease),
  );
  // A send is started only in the first three quarters of the lease: after it, another worker may
  // claim the message (its lease ran out) and send it as well. The rest goes back to the queue.
  const startBy = now.getTime() + (lease * 3) / 4;
  const result = { sent: 0, failed: 0, retried: 0 };
  const pass = { ...options, letters: options.letters ?? new LetterCache() };
  let next = 0;
  const worker = async () => {
    while (next < claimed.length && !options.signal?.aborted) {
      const message = claimed[next++] as OutboxMessage;
      await options.limiter?.acquire();
      if (options.signal?.aborted || deps.clock.now().getTime() > startBy) {
        await deps.store.outbox.releaseClaims([message.id], deps.clock.now());
        break;
      }
      const outcome = await sendOne(deps, message, pass);
      result[outcome] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, claimed.length) }, worker));
  await deps.store.outbox.releaseClaims(
    claimed.slice(next).map((m) => m.id),
    deps.clock.now(),
  );
  return result;
}

async function sendOne(
  deps: Deps,
  m: OutboxMessage,
  options: DispatchOptions & { letters: LetterCache },
): Promise<'sent' | 'failed' | 'retried'> {
  try {
    const detail =
      m.channel === 'webhook'
        ? await postWebhook(deps, m, options.webhooks)
        : await sendMail(deps, m, options);
    await deps.store.outbox.markAccepted(m.id, deps.clock.now(), detail);
    return 'sent';
  } catch (error) {
    const permanent = error instanceof DeliveryError ? error.permanent : false;
    const reason = error instanceof Error ? error.message : String(error);
    const at = deps.clock.now();
    const exhausted = m.attempts >= (options.maxAttempts ?? 8);
    const retryAt = permanent || exhausted ? null : new Date(at.getTime() + backoffMs(m.attempts));
    await deps.store.outbox.markFailed(
      m.id,
      at,
      permanent ? 'permanent' : 'transient',
      exhausted && !permanent ? `${reason} (gave up after ${m.attempts} attempts)` : reason,
      retryAt,
    );
    return retryAt ? 'retried' : 'failed';
  }
}

/**
 * A relay's message is sent as its section: `From` is the section's PEC address, the Mittente its
 * segnatura names (a PEC mailbox sends under its own address, and the receipts come back to it). It
 * carries the transmission letter (PDF) and the signed segnatura (`segnatura.xml`), which travels with
 * the registered document between AOOs (AgID Linee guida, Allegato 6). Other messages go from MAIL_FROM.
 */
async function sendMail(
  deps: Deps,
  m: OutboxMessage,
  options: { mailer: Mailer; letters: LetterCache },
): Promise<string> {
  const relayId = m.relayId;
  const envelope = relayId
    ? await options.letters.get(relayId, async () => {
        const relay = await deps.store.relays.findRelay(relayId);
        const letter = await deps.store.relays.relayLetter(relayId);
        const registration = relay && (await deps.store.protocol.findRegistration(relay.registrationId));
        const section = relay && (await deps.store.sections.findSection(relay.regionalSectionCode));
        if (!letter || !registration || !section)
          throw new DeliveryError(`relay ${relayId} has no letter`, true);
        return {
          from: { name: section.name, address: section.pec },
          attachments: [
            { filename: registration.documentName, content: letter, contentType: 'application/pdf' },
            {
              filename: SEGNATURA_FILE_NAME,
              content: Buffer.from(registration.segnaturaXml, 'utf8'),
              contentType: 'application/xml',
            },
          ],
        };
      })
    : undefined;
  const { response } = await options.mailer.send({
    messageId: m.messageId,
    from: envelope?.from,
    to: { name: m.recipientName, address: m.address },
    subject: m.subject,
    text: m.body,
    attachments: envelope?.attachments ?? [],
  });
  return response;
}

async function postWebhook(deps: Deps, m: OutboxMessage, webhooks: WebhookSender): Promise<string> {
  const secret = m.subscriptionId
    ? await deps.store.subscriptions.webhookSecret(m.subscriptionId)
    : undefined;
  if (!secret) throw new DeliveryError('the subscription has no secret', true);
  const { status } = await webhooks.post(m.address, m.body, secret, m.messageId);
  if (status >= 200 && status < 300) return `HTTP ${status}`;
  // A redirect is not followed (it could point anywhere): like a refusal, it fails for good.
  throw new DeliveryError(
    `HTTP ${status}`,
    (status >= 300 && status < 400) || (status >= 400 && status < 500 && status !== 408 && status !== 429),
  );
}
