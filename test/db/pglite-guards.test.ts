import { sql, type Transaction } from 'kysely';
import type { DB } from '../../src/adapters/db/schema.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type DatabaseHandle } from '../../src/adapters/db/database.js';
import { PGliteReentrancyError, transactionScope } from '../../src/adapters/db/pglite-dialect.js';
import { DomainError } from '../../src/domain/shared/errors.js';

/** The embedded engine's two guards against a frozen service (issue 9, point 1). */
/** A transaction as the Store opens one (in its own async scope, which the re-entrancy guard reads). */
const scoped = (db: Database) => ({
  execute: <T>(work: (tx: Transaction<DB>) => Promise<T>) =>
    transactionScope(() => db.transaction().execute(work)),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the outcome, or 'hung' when nothing happened within ms. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(
      (value) => ({ outcome: 'answered' as const, value }),
      (error: unknown) => ({ outcome: 'failed' as const, error }),
    ),
    sleep(ms).then(() => ({ outcome: 'hung' as const })),
  ]);

describe('PGlite dialect guards', () => {
  // One in-memory database (creating one takes seconds); a small statement timeout for the last test.
  let shared: DatabaseHandle;
  beforeAll(async () => {
    shared = await openDatabase({ statementTimeoutMs: 400 });
  });
  afterAll(async () => {
    await shared?.close();
  });
  const withPglite = async (run: (handle: DatabaseHandle) => Promise<void>) => run(shared);

  it('a call outside the transaction made from inside it fails at once instead of waiting forever', async () => {
    await withPglite(async ({ db }) => {
      const result = await within(
        scoped(db).execute(async (tx) => {
          await sql`SELECT 1`.execute(tx);
          await sql`SELECT 2`.execute(db); // the bug: the root handle, not tx
        }),
        2000,
      );
      expect(result.outcome).toBe('failed');
      expect(result.outcome === 'failed' && result.error).toBeInstanceOf(PGliteReentrancyError);
      expect(result.outcome === 'failed' && String(result.error)).toMatch(/re-entrancy/);
      // The session is free again: the transaction rolled back and released it.
      await expect(within(sql`SELECT 3 AS n`.execute(db), 2000)).resolves.toMatchObject({
        outcome: 'answered',
      });
    });
  });

  it('the check covers work started inside the transaction, but not the code after it', async () => {
    await withPglite(async ({ db }) => {
      const nested = await within(
        scoped(db).execute(async (tx) => {
          await sql`SELECT 1`.execute(tx);
          await new Promise<void>((resolve, reject) =>
            setTimeout(() => {
              sql`SELECT 2`.execute(db).then(() => resolve(), reject);
            }, 5),
          );
        }),
        2000,
      );
      expect(nested.outcome).toBe('failed');
      // After the transaction, the same async function uses the root handle normally.
      const after = await within(
        (async () => {
          await scoped(db).execute((tx) => sql`SELECT 1`.execute(tx));
          return (await sql<{ n: number }>`SELECT 4 AS n`.execute(db)).rows;
        })(),
        2000,
      );
      expect(after).toEqual({ outcome: 'answered', value: [{ n: 4 }] });
      // Concurrent transactions from separate contexts still queue one after the other.
      const both = await Promise.all(
        [1, 2].map((n) =>
          db
            .transaction()
            .execute(async (tx) => (await sql<{ n: number }>`SELECT ${n}::int AS n`.execute(tx)).rows[0]?.n),
        ),
      );
      expect(both).toEqual([1, 2]);
    });
  });

  it('a call waiting past DB_STATEMENT_TIMEOUT_MS fails with 503 and the ping says the database is not answering', async () => {
    await withPglite(async (handle) => {
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holder = scoped(handle.db).execute(async (tx) => {
        await sql`SELECT 1`.execute(tx);
        await held; // a transaction that does not end (e.g. waiting on something that never answers)
      });
      await sleep(20);
      const waiting = await within(sql`SELECT 2`.execute(handle.db), 2000);
      expect(waiting.outcome).toBe('failed');
      const error = waiting.outcome === 'failed' ? waiting.error : undefined;
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'service_unavailable', reason: 'database_not_answering' });
      // Held past the timeout: the ping reports it at once instead of queueing behind it.
      const ping = await within(handle.ping(), 1000);
      expect(ping.outcome).toBe('failed');
      expect(ping.outcome === 'failed' && String(ping.error)).toMatch(
        /not answered.*DB_STATEMENT_TIMEOUT_MS/,
      );
      release();
      await holder;
      // The abandoned place in the queue was passed on: the database answers again.
      await expect(within(handle.ping(), 1000)).resolves.toMatchObject({ outcome: 'answered' });
      await expect(within(sql`SELECT 5`.execute(handle.db), 1000)).resolves.toMatchObject({
        outcome: 'answered',
      });
    });
  });
});
