/**
 * Hostile: `gara serve` on a fresh embedded DATA_DIR logged PGliteReentrancyError in two of three
 * starts ("outbox pass failed" in claimDue, "job failed" in the open-data job's ocdsTenderPage). Cause:
 * the embedded driver marked a transaction's async context with AsyncLocalStorage.enterWith from inside
 * a promise continuation; on Node 20 that mark also reached sibling and caller chains, so a plain query
 * of another job, run while the first job's transaction held the session, was taken for a re-entrant
 * call. Here several jobs (transactions of several statements and plain queries, started together as the
 * scheduler starts them) run on a fresh embedded database, repeatedly: none may fail.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/database.js';
import { PGliteReentrancyError, transactionScope } from '../../src/adapters/db/pglite-dialect.js';
import { createStore } from '../../src/adapters/db/store.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import type { Store } from '../../src/services/ports.js';

const embedded = !process.env.DATABASE_URL;

describe.skipIf(!embedded)('jobs started together on a fresh embedded database', () => {
  let handle: DatabaseHandle;
  let store: Store;
  beforeAll(async () => {
    handle = await openDatabase({});
    store = createStore(handle.db);
  }, 120_000);
  afterAll(async () => handle?.close());

  /** A job as the scheduled ones are: a transaction of a few statements, then plain reads. */
  const job = (n: number) => async () => {
    await transactionScope(() =>
      handle.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 3; i++) await sql`SELECT ${n}::int AS n`.execute(tx);
      }),
    );
    for (let i = 0; i < 3; i++) await sql`SELECT ${n + i}::int AS n`.execute(handle.db);
  };

  it('from a top-level context, as `gara serve` starts its jobs, no query fails as re-entrant', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./fixtures/pglite-top-level-jobs.ts', import.meta.url))],
      { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 110_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    expect((JSON.parse(child.stdout) as { failures: string[] }).failures).toEqual([]);
  }, 120_000);

  it('no job fails as re-entrant (sibling chains, 30 rounds)', async () => {
    const failures: unknown[] = [];
    for (let round = 0; round < 30; round++) {
      // Siblings of one async context, as Promise.all and the scheduler's start give them.
      const results = await Promise.allSettled([
        (async () => {
          await Promise.resolve();
          await store.transaction(async () => {
            await sql`SELECT 1`.execute(handle.db).catch((e: unknown) => {
              // a genuine re-entrant call (the root handle inside the transaction) must still fail
              if (!(e instanceof PGliteReentrancyError)) throw e;
            });
          });
        })(),
        ...[1, 2, 3].map(async (n) => {
          for (let i = 0; i < 4; i++) await sql`SELECT ${n}::int AS n`.execute(handle.db);
        }),
      ]);
      for (const r of results) if (r.status === 'rejected') failures.push(r.reason);
    }
    expect(failures.map(String)).toEqual([]);
  }, 120_000);

  it('the scheduler runs jobs at start without PGliteReentrancyError (10 starts)', async () => {
    const errors: string[] = [];
    const logger = {
      info: () => undefined,
      error: (o: { err?: unknown }) => errors.push(String(o.err)),
    } as never;
    for (let start = 0; start < 10; start++) {
      const scheduler = new Scheduler(logger);
      scheduler.start(
        [1, 2, 3, 4].map((n) => ({ name: `job-${n}`, intervalMs: 5, run: job(n) })),
        { runAtStart: true },
      );
      await new Promise((r) => setTimeout(r, 150));
      await scheduler.stop();
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
