import { stat } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusMonitor } from '../../src/services/status/status-monitor.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Issue 9, point 1: on the embedded engine, a database call that has not answered within
 * DB_STATEMENT_TIMEOUT_MS is reported by /health/ready and the status view (they used to keep saying
 * the database was reachable, and the status rounds stalled behind the call).
 */
const pglite = engineName() === 'pglite';
if (!pglite) console.warn('database-not-answering: PGlite only (PostgreSQL interrupts its own statements)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'hung'> =>
  Promise.race([promise, sleep(ms).then(() => 'hung' as const)]);

describe.skipIf(!pglite)('a database call that does not answer (pglite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ statementTimeoutMs: 400 });
  });
  afterAll(() => h?.close());

  it('makes /health/ready and the status view say so, and both recover', async () => {
    const monitor = new StatusMonitor(h.deps, { ping: h.db.ping });
    await monitor.tick();
    expect(monitor.current().database).toBe('reachable');

    // A transaction that holds the one session and does not end (as a request waiting on itself did).
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = h.db.db.transaction().execute(async (tx) => {
      await sql`SELECT 1`.execute(tx);
      await held;
    });
    await sleep(600);

    const t0 = performance.now();
    const ready = await within(h.app.inject('/health/ready'), 3000);
    const readyMs = performance.now() - t0;
    expect(ready).not.toBe('hung');
    if (ready === 'hung') return;
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'service_unavailable' });
    expect(readyMs).toBeLessThan(1000);

    // One probe round, bounded, and the view says the database is not reachable.
    expect(await within(monitor.tick(), 3000)).not.toBe('hung');
    expect(monitor.current()).toMatchObject({ database: 'unreachable', stale: true });
    expect(monitor.databaseUp).toBe(false);

    release();
    await holder;
    await monitor.tick();
    expect(monitor.current().database).toBe('reachable');
    expect(monitor.databaseUp).toBe(true);
    expect((await h.app.inject('/health/ready')).statusCode).toBe(200);
  });
});

describe(`a busy event loop is not a database that does not answer (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h?.close());

  it('a ping whose timer fired late (the process was busy) does not mark the database down', async () => {
    // The database answers at once (its answer arrives as I/O, as a socket's would), but this process is
    // busy for 600 ms right after asking: when the loop is free, the timer runs before the I/O callback.
    const monitor = new StatusMonitor(h.deps, { ping: () => stat('.').then(() => undefined) });
    const answer = monitor.confirmDatabase(300);
    const busyUntil = performance.now() + 600;
    while (performance.now() < busyUntil) {
      // a synchronous parse of a large message, say
    }
    expect(await answer).toBe(true);
    expect(monitor.databaseUp).toBe(true);
    // A database that really does not answer, on an idle loop, is still found out.
    const frozen = new StatusMonitor(h.deps, { ping: () => new Promise<void>(() => undefined) });
    expect(await frozen.confirmDatabase(300)).toBe(false);
    expect(frozen.databaseUp).toBe(false);
  });
});
