import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engineName, type TestDatabase } from '../support/test-db.js';

// The embedded engine has one connection by design: there the monitor's slow-ping rule applies.
describe.skipIf(engineName() !== 'postgres')('health ping (postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 2 });
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('answers while every pooled connection is busy', async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const busy = [0, 1].map(() =>
      db.db.transaction().execute(async (tx) => {
        await sql`SELECT 1`.execute(tx);
        await held;
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await db.ping();
    const ms = performance.now() - started;
    // A pooled ping would wait here until release(): forever.
    expect(ms).toBeLessThan(2000);
    release();
    await Promise.all(busy);
  });

  it('reconnects after its connection is lost', async () => {
    await db.ping();
    const { rows } = await sql<{ terminated: boolean }>`SELECT pg_terminate_backend(pid) AS terminated
      FROM pg_stat_activity WHERE application_name = ${`gara-ping ${db.schema}`}`.execute(db.db);
    expect(rows).toEqual([{ terminated: true }]);
    // The first ping after the loss may fail (the server closed the connection); the next one answers.
    await db.ping().catch(() => undefined);
    await expect(db.ping()).resolves.toBeUndefined();
  });
});
