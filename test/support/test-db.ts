import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/adapters/db/database.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import { syncReferenceData } from '../../src/adapters/db/reference-data.js';

export interface TestDatabase extends DatabaseHandle {
  /** Drops what the test made (PostgreSQL schema) and closes. */
  destroy(): Promise<void>;
  /** The PostgreSQL schema the test runs in (undefined on PGlite). */
  schema?: string;
}

/**
 * A fresh, migrated database with the code lists: a copy of the PGlite template, or (with DATABASE_URL)
 * a new schema on the PostgreSQL server, dropped afterwards.
 */
export async function createTestDatabase(
  options: { poolSize?: number; statementTimeoutMs?: number } = {},
): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const template = inject('pgliteTemplate');
    const handle = await openDatabase({
      loadDataDir: new Blob([readFileSync(template)]),
      statementTimeoutMs: options.statementTimeoutMs,
    });
    return { ...handle, destroy: handle.close };
  }
  const schema = `test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = await openDatabase({ url, poolSize: 1 });
  await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin.db);
  await admin.close();
  const handle = await openDatabase({
    url,
    schema,
    poolSize: options.poolSize ?? 10,
    statementTimeoutMs: options.statementTimeoutMs,
  });
  await migrateToLatest(handle.db);
  await syncReferenceData(handle.db);
  return {
    ...handle,
    schema,
    destroy: async () => {
      await handle.close();
      const cleanup = await openDatabase({ url, poolSize: 1 });
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(cleanup.db);
      await cleanup.close();
    },
  };
}

export const engineName = (): string => (process.env.DATABASE_URL ? 'postgres' : 'pglite');
