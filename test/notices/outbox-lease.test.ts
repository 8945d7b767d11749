import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDue, RateLimiter } from '../../src/services/notices/dispatch.js';
import type { Mailer, NewOutboxMessage, WebhookSender } from '../../src/services/notices/ports.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * A worker sends a claimed message only while its lease leaves room (its first three quarters): once
 * the lease has run out another process may claim the message and send it too. Found by the
 * three-process test under load (a 1 s lease, an event loop late by more than that): 64 e-mails written
 * for 62 recipients. What was not started goes back to the queue at once, for anyone to send.
 */
describe(`outbox: no send started late in the lease (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
  });
  afterAll(() => h?.close());

  it('a worker slowed past its lease releases what it has not started; the next pass sends it once', async () => {
    const at = h.clock.now();
    const messages: NewOutboxMessage[] = Array.from({ length: 4 }, (_, i) => ({
      id: randomUUID(),
      kind: 'notification',
      channel: 'email',
      relayId: null,
      subscriptionId: null,
      eventId: null,
      recipientName: `Destinatario ${i}`,
      address: `lease-${i}@example.test`,
      contractingAuthorityId: null,
      idempotencyKey: `lease-test-${randomUUID()}`,
      messageId: `<${randomUUID()}@gara.test>`,
      subject: 'Prova',
      body: 'Prova',
      nextAttemptAt: at,
      createdAt: at,
    }));
    await h.deps.store.outbox.insertOutbox(messages, at);
    const sent: string[] = [];
    const mailer: Mailer = {
      send: async (m) => {
        sent.push(m.messageId);
        return { response: '250 ok' };
      },
    } as Mailer;
    const noWebhooks = { post: () => Promise.reject(new Error('none')) } as WebhookSender;
    // Each send waits for a token; the clock moves 400 ms per wait (a slow, loaded process).
    const slow = new (class extends RateLimiter {
      override async acquire() {
        h.clock.advance(400);
      }
    })(1000);
    const first = await dispatchDue(h.deps, {
      mailer,
      webhooks: noWebhooks,
      leaseMs: 1000,
      concurrency: 1,
      limiter: slow,
    });
    // 400 ms: started; 800 ms > 750 ms: not started, released with the other two.
    expect(first.sent).toBe(1);
    expect(sent).toHaveLength(1);
    const second = await dispatchDue(h.deps, { mailer, webhooks: noWebhooks, leaseMs: 60_000 });
    expect(second.sent).toBe(3);
    expect(new Set(sent).size).toBe(4);
    expect(sent).toHaveLength(4);
  });
});
