import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  queueDropCommand,
  queueFlushCommand,
  queueListCommand,
  registerQueueCommands,
  tenderCreateCommand,
  type CliIo,
} from '../cli/queue-commands.js';
import { GaraApiError, GaraClient } from './client.js';
import { OfflineQueue, flushQueue, startQueueFlusher } from './offline-queue.js';

/**
 * A tiny fake gara service (node:http) with the real service's Idempotency-Key semantics: per (token,
 * key) the first response is stored and replayed with `idempotent-replayed: true`; the same key with a
 * different body is a 422; a refused request does not consume its key. Faults are injected per request.
 */
type Fault =
  | '503' // answers 503 + Retry-After before doing anything
  | 'drop-after' // creates the tender, then drops the connection without answering
  | '503-after' // creates the tender, then answers 503 (as if the commit's answer were lost)
  | 'slow-after'; // creates the tender, answers 400 ms later (the client times out first)

interface Stored {
  hash: string;
  status: number;
  body: unknown;
}

class FakeGara {
  port = 0;
  #server: Server | undefined;
  readonly tokens = new Set(['token-rup-1', 'token-rup-2']);
  /** Tenders actually created. */
  creations = 0;
  readonly stored = new Map<string, Stored>();
  readonly faults: Fault[] = [];
  /** Every request received: idempotency key and time. */
  readonly log: { key: string | undefined; at: number }[] = [];
  retryAfter = '2';

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  #send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, {
      'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
      connection: 'close',
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  #problem(res: ServerResponse, status: number, code: string, detail: string, extra = {}) {
    this.#send(res, status, { type: 'about:blank', title: code, status, detail, code, ...extra });
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const keyHeader = req.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' ? keyHeader : undefined;
    this.log.push({ key, at: Date.now() });
    const fault = this.faults.shift();
    if (fault === '503') {
      res.setHeader('Retry-After', this.retryAfter);
      return this.#problem(res, 503, 'service_unavailable', 'the database is not reachable; retry shortly');
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) return this.#problem(res, 401, 'unauthorized', 'send a token');
    if (req.method !== 'POST' || req.url !== '/api/v1/tenders') {
      return this.#problem(res, 404, 'not_found', 'no such route');
    }
    const body = JSON.parse(text) as { object?: string; lots?: { object: string; amount: string }[] };
    const hash = createHash('sha256').update(text).digest('hex');
    const storeKey = key === undefined ? undefined : `${token}|${key}`;
    const previous = storeKey === undefined ? undefined : this.stored.get(storeKey);
    if (previous) {
      if (previous.hash !== hash) {
        return this.#problem(
          res,
          422,
          'idempotency_key_reused',
          'this Idempotency-Key was used for a different request',
        );
      }
      return this.#send(res, previous.status, previous.body, { 'idempotent-replayed': 'true' });
    }
    if (!body.object || body.object.startsWith('INVALID')) {
      return this.#problem(res, 422, 'rule_violation', 'the tender object is not acceptable', {
        field: 'object',
        reason: 'object_not_acceptable',
      });
    }
    this.creations += 1;
    const tenderNumber = String(1_000_000 + this.creations);
    const tender = {
      tenderNumber,
      object: body.object,
      lots: (body.lots ?? []).map((lot, i) => ({
        lotNumber: i + 1,
        cig: `B${tenderNumber}${String(i + 1).padStart(2, '0')}`,
        object: lot.object,
        amount: lot.amount,
      })),
    };
    if (storeKey !== undefined) this.stored.set(storeKey, { hash, status: 201, body: tender });
    if (fault === 'drop-after') {
      req.socket.destroy();
      return;
    }
    if (fault === '503-after') {
      return this.#problem(res, 503, 'service_unavailable', 'the answer was lost');
    }
    if (fault === 'slow-after') await new Promise((resolve) => setTimeout(resolve, 400));
    this.#send(res, 201, tender);
  }
}

interface Tender {
  tenderNumber: string;
  object: string;
  lots: { lotNumber: number; cig: string; object: string }[];
}

const tenderBody = (object: string, lots = 1) => ({
  object,
  procedureType: '6',
  sector: 'ordinary',
  contractObject: 'works',
  lots: Array.from({ length: lots }, (_, i) => ({
    object: `Lotto ${i + 1}`,
    amount: '250000.00',
    cpv: '45233140',
    place: '016072006',
  })),
});

const entryFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));

let server: FakeGara;
let dir: string;
let queue: OfflineQueue;

const clientWith = (options: { token?: string; queued?: boolean; timeoutMs?: number } = {}) =>
  new GaraClient({
    baseUrl: server.url,
    token: options.token ?? 'token-rup-1',
    timeoutMs: options.timeoutMs ?? 2_000,
    keyPrefix: 'gara-test-',
    ...(options.queued === false ? {} : { queue }),
  });

beforeEach(async () => {
  server = new FakeGara();
  await server.start();
  dir = mkdtempSync(join(tmpdir(), 'gara-queue-'));
  queue = new OfflineQueue({ dir });
});

afterEach(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('GaraClient.create', () => {
  it('sends an Idempotency-Key and reports the result; the same key again is a replay, not a second tender', async () => {
    const client = clientWith();
    const first = await client.create<Tender>('/api/v1/tenders', tenderBody('Strade', 2));
    expect(first).toMatchObject({ status: 'done', replayed: false });
    expect(first.key).toMatch(/^gara-test-[0-9a-f-]{36}$/);
    if (first.status !== 'done') throw new Error('not done');
    expect(first.result.lots.map((l) => l.cig)).toEqual(['B100000101', 'B100000102']);
    const again = await client.create<Tender>('/api/v1/tenders', tenderBody('Strade', 2), {
      idempotencyKey: first.key,
    });
    expect(again).toMatchObject({ status: 'done', key: first.key, replayed: true, result: first.result });
    expect(server.creations).toBe(1);
  });

  it('throws GaraUnreachableError without a queue, and queues with one', async () => {
    await server.stop();
    await expect(clientWith({ queued: false }).create('/api/v1/tenders', tenderBody('x'))).rejects.toThrow(
      /unreachable/,
    );
    const outcome = await clientWith().create('/api/v1/tenders', tenderBody('x'));
    expect(outcome.status).toBe('queued');
    expect((await queue.list()).map((e) => e.key)).toEqual([outcome.key]);
  });

  it('(3) does not queue a 4xx: a bad request stays bad', async () => {
    const error = await clientWith()
      .create('/api/v1/tenders', tenderBody('INVALID tender'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GaraApiError);
    expect(error).toMatchObject({ status: 422, problem: { code: 'rule_violation', field: 'object' } });
    expect(await queue.list()).toEqual([]);
    const unauthorized = await clientWith({ token: 'wrong' })
      .create('/api/v1/tenders', tenderBody('ok'))
      .catch((e: unknown) => e);
    expect(unauthorized).toMatchObject({ status: 401 });
    expect(entryFiles(dir)).toEqual([]);
  });

  it('queues a 503 with its Retry-After', async () => {
    server.faults.push('503');
    const outcome = await clientWith().create('/api/v1/tenders', tenderBody('x'));
    expect(outcome).toMatchObject({ status: 'queued', retryAfterMs: 2000 });
    expect(server.creations).toBe(0);
  });
});

describe('offline queue and flush', () => {
  it('(1) queues 20 creates while the service is down, keeps them on disk, and submits them in order once', async () => {
    await server.stop();
    const client = clientWith();
    const keys: string[] = [];
    for (let i = 1; i <= 20; i += 1) {
      const outcome = await client.create('/api/v1/tenders', tenderBody(`Gara ${i}`));
      expect(outcome.status).toBe('queued');
      keys.push(outcome.key);
    }
    expect(new Set(keys).size).toBe(20);
    expect(entryFiles(dir)).toHaveLength(20);

    // A new process: the queue re-opened from disk holds all of them, in creation order.
    const reopened = new OfflineQueue({ dir });
    const entries = await reopened.list();
    expect(entries.map((e) => e.key)).toEqual(keys);
    expect(entries.map((e) => (e.body as { object: string }).object)).toEqual(
      keys.map((_, i) => `Gara ${i + 1}`),
    );
    const created = entries.map((e) => e.createdAt);
    expect([...created].sort()).toEqual(created);
    expect(new Set(created).size).toBe(20);

    await server.start(); // same port
    const summary = await flushQueue<Tender>(clientWith({ queued: false }), reopened);
    expect(summary.failed).toEqual([]);
    expect(summary.unavailable).toBeUndefined();
    expect(summary.remaining).toBe(0);
    expect(summary.submitted.map((s) => s.key)).toEqual(keys);
    expect(summary.submitted.map((s) => s.result.object)).toEqual(keys.map((_, i) => `Gara ${i + 1}`));
    expect(summary.submitted.map((s) => s.result.tenderNumber)).toEqual(
      keys.map((_, i) => String(1_000_001 + i)),
    );
    expect(summary.submitted.every((s) => !s.replayed)).toBe(true);
    expect(server.creations).toBe(20);
    expect(server.log.map((r) => r.key)).toEqual(keys); // one request per key
    expect(entryFiles(dir)).toEqual([]);

    // Flushing again sends nothing.
    expect(await flushQueue(clientWith(), reopened)).toMatchObject({ submitted: [], remaining: 0 });
    expect(server.log).toHaveLength(20);
  });

  it.each([
    ['the connection dropped after processing', 'drop-after' as const, 2_000],
    ['a 503 answered after processing', '503-after' as const, 2_000],
    ['a timeout while the service was processing', 'slow-after' as const, 150],
  ])(
    '(2) a lost response (%s) is retried with the same key: one creation, not two',
    async (_, fault, timeoutMs) => {
      server.faults.push(fault);
      const outcome = await clientWith({ timeoutMs }).create('/api/v1/tenders', tenderBody('Ponte'));
      expect(outcome.status).toBe('queued');
      expect(server.creations).toBe(1); // the service did create it
      if (fault === 'slow-after') await new Promise((resolve) => setTimeout(resolve, 500));

      const summary = await flushQueue<Tender>(clientWith(), queue);
      expect(summary.submitted).toHaveLength(1);
      expect(summary.submitted[0]).toMatchObject({ key: outcome.key, replayed: true });
      expect(summary.submitted[0]?.result.tenderNumber).toBe('1000001');
      expect(server.creations).toBe(1);
      expect(server.log.map((r) => r.key)).toEqual([outcome.key, outcome.key]);
      expect(await queue.list()).toEqual([]);
    },
  );

  it('(2) a flush whose answer is lost keeps the entry; the next flush gets the first result', async () => {
    await server.stop();
    const queued = await clientWith().create('/api/v1/tenders', tenderBody('Scuola'));
    await server.start();
    server.faults.push('drop-after');
    const first = await flushQueue(clientWith(), queue);
    expect(first.submitted).toEqual([]);
    expect(first.unavailable).toMatchObject({ key: queued.key });
    expect(first.remaining).toBe(1);
    expect(await queue.get(queued.key)).toMatchObject({ attempts: 1, failed: false });
    expect(server.creations).toBe(1);

    const second = await flushQueue<Tender>(clientWith(), queue);
    expect(second.submitted).toMatchObject([{ key: queued.key, replayed: true }]);
    expect(server.creations).toBe(1);
  });

  it('a 503 stops the flush, keeps the rest in order and reports Retry-After', async () => {
    await server.stop();
    const client = clientWith();
    const keys = [];
    for (const object of ['A', 'B', 'C'])
      keys.push((await client.create('/api/v1/tenders', tenderBody(object))).key);
    await server.start();
    server.faults.push('503');
    const stopped = await flushQueue(client, queue);
    expect(stopped).toMatchObject({
      submitted: [],
      failed: [],
      remaining: 3,
      unavailable: { key: keys[0], status: 503, retryAfterMs: 2000 },
    });
    expect(server.log).toHaveLength(1); // stopped at the first one
    const entry = await queue.get(keys[0] ?? '');
    expect(entry).toMatchObject({ attempts: 1, failed: false, lastError: { status: 503 } });

    const done = await flushQueue<Tender>(client, queue);
    expect(done.submitted.map((s) => s.result.object)).toEqual(['A', 'B', 'C']);
    expect(server.creations).toBe(3);
  });

  it('(3) a queued request later refused (422) is kept, marked failed, and the others go on', async () => {
    await server.stop();
    const client = clientWith();
    const good1 = await client.create('/api/v1/tenders', tenderBody('Buona 1'));
    const bad = await client.create('/api/v1/tenders', tenderBody('INVALID tender'));
    const good2 = await client.create('/api/v1/tenders', tenderBody('Buona 2'));
    await server.start();

    const summary = await flushQueue<Tender>(client, queue);
    expect(summary.submitted.map((s) => s.key)).toEqual([good1.key, good2.key]);
    expect(summary.failed).toMatchObject([
      { key: bad.key, status: 422, problem: { code: 'rule_violation', field: 'object' } },
    ]);
    expect(summary.remaining).toBe(1);
    const kept = await new OfflineQueue({ dir }).get(bad.key);
    expect(kept).toMatchObject({
      failed: true,
      attempts: 1,
      lastError: { status: 422, problem: { code: 'rule_violation' } },
    });

    // Not retried automatically: a human must look (drop it, or retry after fixing the cause).
    const later = await flushQueue(client, queue);
    expect(later).toMatchObject({ submitted: [], failed: [], remaining: 1 });
    expect(later.skipped).toEqual([{ key: bad.key, reason: 'failed_earlier' }]);
    expect(server.log).toHaveLength(3);
    expect(await queue.remove(bad.key)).toBe(true);
    expect(entryFiles(dir)).toEqual([]);
  });

  it('refuses the same key for a different request, and queues the same request once', async () => {
    const first = await queue.enqueue({ key: 'k-1', path: '/api/v1/tenders', body: tenderBody('A') });
    const again = await queue.enqueue({ key: 'k-1', path: '/api/v1/tenders', body: tenderBody('A') });
    expect(again).toEqual(first);
    await expect(
      queue.enqueue({ key: 'k-1', path: '/api/v1/tenders', body: tenderBody('B') }),
    ).rejects.toThrow(/different request/);
    await expect(queue.enqueue({ key: 'bad key', path: '/x', body: {} })).rejects.toThrow(/visible ASCII/);
    expect(entryFiles(dir)).toHaveLength(1);
  });

  it('keeps keys with any visible ASCII character, and long ones, as file names', async () => {
    const odd = 'a/b\\c:d*e?f"g<h>i|j%k';
    const long = `x${'y'.repeat(254)}`;
    await queue.enqueue({ key: odd, path: '/api/v1/tenders', body: 1 });
    await queue.enqueue({ key: long, path: '/api/v1/tenders', body: 2 });
    expect((await new OfflineQueue({ dir }).list()).map((e) => e.key)).toEqual([odd, long]);
    expect(entryFiles(dir).every((n) => n.length < 200 && !/[/\\:*?"<>|]/.test(n))).toBe(true);
    expect(await queue.remove(odd)).toBe(true);
    expect(await queue.get(long)).toMatchObject({ body: 2 });
  });

  it('submits only the entries queued with the same token (idempotency keys are per user)', async () => {
    await server.stop();
    const mine = await clientWith({ token: 'token-rup-1' }).create('/api/v1/tenders', tenderBody('mine'));
    const theirs = await clientWith({ token: 'token-rup-2' }).create('/api/v1/tenders', tenderBody('theirs'));
    await server.start();
    const summary = await flushQueue(clientWith({ token: 'token-rup-1' }), queue);
    expect(summary.submitted.map((s) => s.key)).toEqual([mine.key]);
    expect(summary.skipped).toEqual([{ key: theirs.key, reason: 'other_token' }]);
    const other = await flushQueue(clientWith({ token: 'token-rup-2' }), queue);
    expect(other.submitted.map((s) => s.key)).toEqual([theirs.key]);
    expect(JSON.stringify(readdirSync(dir))).not.toContain('token-rup');
  });

  it('(4) a crash between the temporary write and the rename leaves no corrupt entry', async () => {
    const mine = clientWith().tokenFingerprint;
    await queue.enqueue({
      key: 'whole',
      path: '/api/v1/tenders',
      body: tenderBody('Intera'),
      tokenFingerprint: mine,
    });
    expect(readdirSync(dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]); // a normal write leaves none
    // What a crash leaves: a half-written temporary file (never renamed), an old one and a fresh one.
    const stale = join(dir, '.tmp-0b5e1d3c-dead-4bee-8f00-000000000001.json');
    const fresh = join(dir, '.tmp-0b5e1d3c-dead-4bee-8f00-000000000002.json');
    writeFileSync(stale, '{"key":"half-written","method":"PO');
    writeFileSync(fresh, '{"key":"being-written');
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(stale, old, old);

    const reopened = new OfflineQueue({ dir });
    const scan = await reopened.scan();
    expect(scan.entries.map((e) => e.key)).toEqual(['whole']);
    expect(scan.invalid).toEqual([]);
    // The stale one is cleaned; a fresh one may be another process's write in progress: left alone.
    expect(readdirSync(dir).sort()).toEqual(
      [entryFiles(dir)[0], '.tmp-0b5e1d3c-dead-4bee-8f00-000000000002.json'].sort(),
    );

    const summary = await flushQueue<Tender>(clientWith(), reopened);
    expect(summary.submitted.map((s) => s.key)).toEqual(['whole']);
  });

  it('a hand-edited, unreadable entry is reported and left alone, never deleted', async () => {
    const mine = clientWith().tokenFingerprint;
    await queue.enqueue({
      key: 'ok',
      path: '/api/v1/tenders',
      body: tenderBody('ok'),
      tokenFingerprint: mine,
    });
    writeFileSync(join(dir, '2020-01-01T00-00-00.000Z-broken.json'), 'not json');
    const scan = await queue.scan();
    expect(scan.entries.map((e) => e.key)).toEqual(['ok']);
    expect(scan.invalid).toMatchObject([{ file: '2020-01-01T00-00-00.000Z-broken.json' }]);
    await flushQueue(clientWith(), queue);
    expect(entryFiles(dir)).toEqual(['2020-01-01T00-00-00.000Z-broken.json']);
  });

  it('the background flusher submits the queue when the service comes back, honouring Retry-After', async () => {
    await server.stop();
    const client = clientWith();
    const keys = [];
    for (const object of ['A', 'B', 'C'])
      keys.push((await client.create('/api/v1/tenders', tenderBody(object))).key);
    const summaries: { submitted: number; unavailable: boolean }[] = [];
    const flusher = startQueueFlusher(client, queue, {
      intervalMs: 30,
      onFlush: (s) =>
        summaries.push({ submitted: s.submitted.length, unavailable: s.unavailable !== undefined }),
    });
    try {
      await vi.waitFor(() => expect(summaries.filter((s) => s.unavailable).length).toBeGreaterThan(1));
      server.retryAfter = '1';
      server.faults.push('503');
      await server.start();
      await vi.waitFor(async () => expect(await queue.list()).toEqual([]), { timeout: 5_000, interval: 20 });
    } finally {
      await flusher.stop();
    }
    expect(server.creations).toBe(3);
    expect(server.log.map((r) => r.key)).toEqual([keys[0], ...keys]); // the 503, then each once
    const [unavailable, next] = server.log;
    expect((next?.at ?? 0) - (unavailable?.at ?? 0)).toBeGreaterThanOrEqual(900); // Retry-After: 1
    expect(summaries.reduce((n, s) => n + s.submitted, 0)).toBe(3);
  });
});

describe('CLI handlers', () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      readStdin: () => Promise.resolve(JSON.stringify(tenderBody('Da stdin'))),
    };
    return { io, out, err };
  };

  it('(5) tender create queues while unreachable (exit 0), queue list shows it, queue flush submits it', async () => {
    const file = join(dir, '..', `${dir.split('/').pop()}-tender.json`);
    writeFileSync(file, JSON.stringify(tenderBody('Manutenzione strade', 2)));
    try {
      await server.stop();
      const env = { GARA_TOKEN: 'token-rup-1', GARA_URL: server.url, GARA_QUEUE_DIR: dir };
      const created = capture();
      expect(await tenderCreateCommand({ file, key: 'gara-2026-0001' }, created.io, env)).toBe(0);
      expect(created.out.join('\n')).toMatch(/accodata localmente/);
      expect(created.out.join('\n')).toContain('chiave          gara-2026-0001');
      expect(created.out.join('\n')).toContain(dir);
      expect(created.out.join('\n')).toMatch(/motivo .* is unreachable: fetch failed: .*ECONNREFUSED/);

      const listed = capture();
      expect(await queueListCommand({}, listed.io, env)).toBe(0);
      expect(listed.out.join('\n')).toMatch(/1 richiesta in coda/);
      expect(listed.out.join('\n')).toMatch(
        /in attesa\s+gara-2026-0001\s+POST \/api\/v1\/tenders\s+tentativi 0/,
      );

      const stillDown = capture();
      expect(await queueFlushCommand({}, stillDown.io, env)).toBe(75);
      expect(stillDown.out.join('\n')).toMatch(/servizio non disponibile/);

      await server.start();
      const flushed = capture();
      expect(await queueFlushCommand({}, flushed.io, env)).toBe(0);
      expect(flushed.out).toContain('inviata    gara-2026-0001 -> gara 1000001, CIG B100000101, B100000102');
      expect(flushed.out).toContain('in coda         0 richieste');
      expect(server.creations).toBe(1);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('(5) tender create prints the tender number and each CIG; a replay says so', async () => {
    const env = { GARA_QUEUE_DIR: dir };
    const options = { token: 'token-rup-1', url: server.url, file: '-', key: 'k-stdin' };
    const first = capture();
    expect(await tenderCreateCommand(options, first.io, env)).toBe(0);
    expect(first.out).toContain('numero gara     1000001');
    expect(first.out).toContain('lotto 1         CIG B100000101  Lotto 1 (250000.00 EUR)');
    const second = capture();
    expect(await tenderCreateCommand(options, second.io, env)).toBe(0);
    expect(second.out.join('\n')).toMatch(/nessun nuovo CIG/);
    expect(server.creations).toBe(1);
  });

  it('(5) errors: a refused tender is not queued (exit 1), no token is exit 2, flush reports refusals', async () => {
    const env = { GARA_QUEUE_DIR: dir, GARA_URL: server.url };
    const file = join(dir, '..', `${dir.split('/').pop()}-bad.json`);
    writeFileSync(file, JSON.stringify(tenderBody('INVALID')));
    try {
      const refused = capture();
      expect(await tenderCreateCommand({ file, token: 'token-rup-1' }, refused.io, env)).toBe(1);
      expect(refused.err.join('\n')).toMatch(/422 rule_violation: the tender object is not acceptable/);
      expect(entryFiles(dir)).toEqual([]);

      const noToken = capture();
      expect(await tenderCreateCommand({ file }, noToken.io, env)).toBe(2);
      expect(noToken.err.join('\n')).toMatch(/GARA_TOKEN/);

      await queue.enqueue({
        key: 'later-bad',
        path: '/api/v1/tenders',
        body: tenderBody('INVALID'),
        tokenFingerprint: clientWith().tokenFingerprint,
      });
      const flushed = capture();
      expect(await queueFlushCommand({ token: 'token-rup-1' }, flushed.io, env)).toBe(1);
      expect(flushed.out).toContain(
        'in errore  later-bad -> 422 rule_violation: the tender object is not acceptable',
      );
      const again = capture();
      expect(await queueFlushCommand({ token: 'token-rup-1' }, again.io, env)).toBe(1); // still needs a human
      expect(again.out.join('\n')).toMatch(/1 richiesta in errore da prima/);

      const listed = capture();
      await queueListCommand({}, listed.io, env);
      expect(listed.out.join('\n')).toMatch(/in errore\s+later-bad/);
      expect(listed.out.join('\n')).toMatch(/ultimo errore .*422 rule_violation/);

      const dropped = capture();
      expect(await queueDropCommand('later-bad', {}, dropped.io, env)).toBe(0);
      expect(await queueDropCommand('later-bad', {}, capture().io, env)).toBe(1);
      expect(entryFiles(dir)).toEqual([]);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('(5) registers the commands on a commander program', async () => {
    const program = new Command().name('gara').exitOverride();
    registerQueueCommands(program);
    const file = join(dir, '..', `${dir.split('/').pop()}-cli.json`);
    writeFileSync(file, JSON.stringify(tenderBody('Via commander')));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await server.stop();
      await program.parseAsync(
        [
          'tender',
          'create',
          '--file',
          file,
          '--token',
          'token-rup-1',
          '--url',
          server.url,
          '--queue-dir',
          dir,
          '--key',
          'k-cli',
        ],
        { from: 'user' },
      );
      expect(process.exitCode).toBe(0);
      expect((await queue.list()).map((e) => e.key)).toEqual(['k-cli']);
      await server.start();
      await program.parseAsync(
        ['queue', 'flush', '--token', 'token-rup-1', '--url', server.url, '--queue-dir', dir],
        {
          from: 'user',
        },
      );
      expect(process.exitCode).toBe(0);
      expect(log.mock.calls.flat().join('\n')).toContain('k-cli -> gara 1000001');
      await program.parseAsync(['queue', 'list', '--queue-dir', dir], { from: 'user' });
      expect(log.mock.calls.flat().join('\n')).toContain('coda vuota');
    } finally {
      log.mockRestore();
      process.exitCode = undefined;
      rmSync(file, { force: true });
    }
  });
});
