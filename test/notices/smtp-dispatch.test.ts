import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/database.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import { syncReferenceData } from '../../src/adapters/db/reference-data.js';
import { smtpMailer } from '../../src/adapters/mail/mailer.js';
import { verifySegnatura } from '../../src/adapters/protocol/segnatura.js';
import { systemClock } from '../../src/domain/shared/clock.js';
import { actorFromUser } from '../../src/services/context.js';
import { backoffMs, dispatchDue, RateLimiter } from '../../src/services/notices/dispatch.js';
import { publishNotice } from '../../src/services/notices/publish-notice.js';
import type { Mailer, WebhookSender } from '../../src/services/notices/ports.js';
import { relayNotice } from '../../src/services/notices/relay-notice.js';
import { Factories } from '../support/factories.js';
import { bearer, createHarness, serviceDeps, testSigningKey, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

const noWebhooks: WebhookSender = { post: () => Promise.reject(new Error('no webhook expected')) };

interface Arrival {
  messageId: string;
  to: string[];
  /** The envelope's MAIL FROM. */
  mailFrom: string;
  raw: Buffer;
}

/**
 * A real SMTP server on loopback (smtp-server): records what arrives (Message-ID and envelope
 * recipients); refuses recipients named `bounce...` with 550 and, the first time, `busy...` with 451.
 */
async function startSink() {
  const arrivals: Arrival[] = [];
  const busySeen = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 20 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('bounce')) {
        return callback(
          Object.assign(new Error('5.1.1 <' + address.address + '>: casella inesistente'), {
            responseCode: 550,
          }),
        );
      }
      if (address.address.startsWith('busy') && !busySeen.has(address.address)) {
        busySeen.add(address.address);
        return callback(
          Object.assign(new Error('4.2.1 casella temporaneamente non disponibile'), { responseCode: 451 }),
        );
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const head =
          Buffer.concat(chunks)
            .toString('utf8')
            .split(/\r?\n\r?\n/)[0] ?? '';
        const messageId = /^message-id:\s*<([^>]+)>/im.exec(head)?.[1] ?? '(none)';
        arrivals.push({
          messageId,
          to: session.envelope.rcptTo.map((r) => r.address),
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  // A client killed in the middle of a session resets its connection: expected here.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    arrivals,
    url: `smtp://127.0.0.1:${port}`,
    distinct: () => new Set(arrivals.map((a) => a.messageId)).size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
type Sink = Awaited<ReturnType<typeof startSink>>;

describe(`outbox dispatch through SMTP on loopback (${engineName()})`, () => {
  let h: Harness;
  let sink: Sink;
  let mailer: Mailer;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
  });
  beforeEach(async () => {
    sink = await startSink();
    mailer = smtpMailer({ url: sink.url, from: 'noreply@gara.test.example', maxConnections: 4 });
  });
  afterEach(async () => {
    await mailer.close();
    await sink.close();
  });
  afterAll(() => h.close());

  async function relayTo(local: string[]) {
    const staff = await h.factories.user('authority_staff');
    const section = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    const ids: string[] = [];
    for (const name of local) {
      const authority = await h.factories.contractingAuthority({ section: 'PUG' });
      const rup = await h.factories.user('rup', { contractingAuthorityId: authority.id });
      await sql`UPDATE users SET email = ${`${name}.${rup.user.email}`} WHERE id = ${rup.user.id}`.execute(
        h.db.db,
      );
      ids.push(authority.id);
    }
    const notice = await publishNotice(
      h.deps,
      {
        title: 'Manutenzione programmata',
        noticeDate: '2026-03-02',
        kind: 'maintenance',
        body: 'Il servizio sarà sospeso.',
      },
      staff.actor,
    );
    return (await relayNotice(h.deps, { noticeId: notice.id, contractingAuthorityIds: ids }, section.actor))
      .relay;
  }

  it('sends each recipient one message, retries 4xx with backoff, fails 5xx with its reason, and retries only failed recipients on request', async () => {
    const relay = await relayTo(['ok1', 'ok2', 'ok3', 'bounce', 'busy']);
    const first = await dispatchDue(h.deps, { mailer, webhooks: noWebhooks });
    expect(first).toEqual({ sent: 3, failed: 1, retried: 1 });
    // Sent as the section (header and envelope), with the letter and the signed segnatura attached.
    for (const arrival of sink.arrivals) {
      expect(arrival.mailFrom).toBe('osservatorio.pug@pec.test.example');
      const parsed = await simpleParser(arrival.raw);
      expect(parsed.from?.value.map((a) => a.address)).toEqual(['osservatorio.pug@pec.test.example']);
      expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
        [expect.stringMatching(/\.pdf$/), 'application/pdf'],
        ['segnatura.xml', 'application/xml'],
      ]);
      const segnatura = parsed.attachments[1]!.content.toString('utf8');
      expect(verifySegnatura(segnatura, testSigningKey().certificatePem)).toBe(true);
      expect(segnatura).toContain(arrival.to[0]);
    }
    const byAddress = async () =>
      new Map(
        (await h.deps.store.notices.relayRecipients(relay.id)).map((m) => [m.address.split('.')[0], m]),
      );
    let recipients = await byAddress();
    expect(recipients.get('bounce')).toMatchObject({ state: 'failed', failure: 'permanent' });
    expect(recipients.get('bounce')!.lastError).toMatch(/^SMTP 550: .*casella inesistente/);
    expect(recipients.get('busy')).toMatchObject({ state: 'queued', failure: 'transient', attempts: 1 });
    expect(recipients.get('busy')!.nextAttemptAt.getTime()).toBe(h.clock.now().getTime() + backoffMs(1));

    // Not due yet: nothing is sent.
    expect(await dispatchDue(h.deps, { mailer, webhooks: noWebhooks })).toEqual({
      sent: 0,
      failed: 0,
      retried: 0,
    });
    h.clock.advance(backoffMs(1));
    expect(await dispatchDue(h.deps, { mailer, webhooks: noWebhooks })).toEqual({
      sent: 1,
      failed: 0,
      retried: 0,
    });

    const staff = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    const retry = await h.app.inject({
      method: 'POST',
      url: `/api/v1/relays/${relay.id}/retry`,
      headers: bearer(staff.token),
    });
    expect(retry.json()).toEqual({ retried: 1 });
    expect(await dispatchDue(h.deps, { mailer, webhooks: noWebhooks })).toEqual({
      sent: 0,
      failed: 1,
      retried: 0,
    });

    recipients = await byAddress();
    expect(recipients.get('busy')!.events.map((e) => e.event)).toEqual(['queued', 'retried', 'accepted']);
    expect(recipients.get('bounce')!.events.map((e) => e.event)).toEqual([
      'queued',
      'failed',
      'retried',
      'failed',
    ]);
    const counts = new Map<string, number>();
    for (const a of sink.arrivals)
      for (const to of a.to) counts.set(to.split('.')[0]!, (counts.get(to.split('.')[0]!) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ ok1: 1, ok2: 1, ok3: 1, busy: 1 });
  });

  it('treats an unreachable server as transient', async () => {
    await relayTo(['later']);
    await sink.close();
    const down = smtpMailer({ url: sink.url, from: 'osservatorio.pug@pec.test.example' });
    try {
      expect(await dispatchDue(h.deps, { mailer: down, webhooks: noWebhooks })).toEqual({
        sent: 0,
        failed: 0,
        retried: 1,
      });
      const [row] = await h.deps.store.notices.listOutbox({ state: 'queued', limit: 1, offset: 0 });
      expect(row!.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    } finally {
      await down.close();
      sink = await startSink();
    }
  });

  it('keeps to the rate limit', async () => {
    const limiter = new RateLimiter(40);
    const started = Date.now();
    for (let i = 0; i < 80; i++) await limiter.acquire();
    // 40 at once (a second's burst), then 40 more at 40 per second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

/**
 * The service process dispatches 300 messages to a loopback SMTP server; it is stopped (SIGTERM) and
 * killed (SIGKILL) in the middle, and started again each time. Every recipient gets the message, and
 * the count of what arrived shows what the wire did.
 */
describe(`dispatch across a stop and a crash of the process (${engineName()})`, () => {
  const RECIPIENTS = 300;
  let sink: Sink;
  let env: Record<string, string>;
  let open: () => Promise<DatabaseHandle>;
  let cleanup: () => Promise<void>;
  let addresses: string[];

  beforeAll(async () => {
    sink = await startSink();
    const dir = mkdtempSync(join(tmpdir(), 'gara-dispatch-'));
    const url = process.env.DATABASE_URL;
    let schema = '';
    if (url) {
      schema = `dispatch_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = await openDatabase({ url, poolSize: 1 });
      await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin.db);
      await admin.close();
      const withSchema = new URL(url);
      withSchema.searchParams.set('options', `-c search_path=${schema}`);
      env = { DATABASE_URL: withSchema.toString() };
      open = () => openDatabase({ url, schema, poolSize: 2 });
    } else {
      env = {};
      open = () => openDatabase({ dataDir: join(dir, 'pglite') });
    }
    cleanup = async () => {
      rmSync(dir, { recursive: true, force: true });
      if (url) {
        const admin = await openDatabase({ url, poolSize: 1 });
        await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(admin.db);
        await admin.close();
      }
    };
    Object.assign(env, {
      DATA_DIR: dir,
      SMTP_URL: sink.url,
      MAIL_RATE_PER_SECOND: '150',
      OUTBOX_CONCURRENCY: '8',
      OUTBOX_LEASE_MS: '3000',
      SEED_DEMO: 'never',
      PAGOPA_SANDBOX: 'off',
      PROBE_INTERVAL_MS: '3600000',
      PORT: '0',
      LOG_LEVEL: 'warn',
    });

    // The relay is written before the service starts: 300 queued messages.
    const handle = await open();
    try {
      await migrateToLatest(handle.db);
      await syncReferenceData(handle.db);
      const deps = serviceDeps(handle.db, systemClock);
      const factories = new Factories(deps);
      await factories.sections();
      const staff = await factories.user('authority_staff');
      const section = await factories.user('regional_staff', { regionalSectionCode: 'PUG' });
      addresses = [];
      for (let i = 0; i < RECIPIENTS / 3; i++) {
        const authority = await factories.contractingAuthority({ section: 'PUG' });
        for (let j = 0; j < 3; j++)
          addresses.push((await factories.user('rup', { contractingAuthorityId: authority.id })).user.email);
      }
      const notice = await publishNotice(
        deps,
        {
          title: "Interruzione dei servizi on line dell'Autorità",
          noticeDate: '2026-03-02',
          kind: 'outage',
          body: 'Comunicato.',
        },
        staff.actor,
      );
      const { recipients } = await relayNotice(deps, { noticeId: notice.id }, actorFromUser(section.user));
      expect(recipients).toBe(RECIPIENTS);
    } finally {
      await handle.close();
    }
  }, 120_000);
  afterAll(async () => {
    await sink.close();
    await cleanup();
  });

  /** Starts `gara serve` (from the sources) and stops it with `signal` once `arrived()` holds. */
  async function runUntil(arrived: () => boolean, signal: NodeJS.Signals): Promise<void> {
    const { DATABASE_URL: _omit, ...inherited } = process.env;
    void _omit;
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Drain its output (the banner) so it never blocks on a full pipe.
    void (async () => {
      for await (const line of createInterface({ input: child.stdout! })) void line;
    })();
    const deadline = Date.now() + 90_000;
    while (!arrived()) {
      if (child.exitCode !== null) throw new Error('the service exited by itself');
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`timed out with ${sink.distinct()} distinct messages arrived`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill(signal);
    await exited;
  }

  it(
    'delivers every recipient; a stop (SIGTERM) sends nothing twice; a crash (SIGKILL) re-sends at most what was in flight',
    { timeout: 240_000 },
    async () => {
      await runUntil(() => sink.arrivals.length >= 60, 'SIGTERM');
      const afterStop = sink.arrivals.length;
      expect(sink.distinct()).toBe(afterStop); // graceful stop: nothing sent twice so far

      await runUntil(() => sink.distinct() >= 160, 'SIGKILL');
      const atKill = sink.arrivals.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.arrivals.length).toBe(atKill); // it is dead: nothing more arrives

      // Started again: what the dead process had claimed is sent once its lease (3 s) runs out.
      await runUntil(() => sink.distinct() >= RECIPIENTS, 'SIGTERM');
      const duplicates = sink.arrivals.length - sink.distinct();
      console.log(
        `dispatch across stop+crash (${engineName()}): ${sink.arrivals.length} arrivals, ${sink.distinct()} distinct Message-IDs, ${duplicates} re-sent after the SIGKILL`,
      );
      expect(sink.distinct()).toBe(RECIPIENTS);
      expect(new Set(sink.arrivals.flatMap((a) => a.to))).toEqual(new Set(addresses));
      // At most the messages in flight at the moment of the kill (OUTBOX_CONCURRENCY) are sent twice,
      // always with the same Message-ID, so a mailbox (or a PEC provider) can tell them apart.
      expect(duplicates).toBeLessThanOrEqual(8);

      const handle = await open();
      try {
        const { rows } = await sql<{
          state: string;
          n: number;
        }>`SELECT state, count(*)::int AS n FROM outbox GROUP BY state`.execute(handle.db);
        expect(rows).toEqual([{ state: 'accepted', n: RECIPIENTS }]);
      } finally {
        await handle.close();
      }
    },
  );
});
