import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/adapters/db/database.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import { syncReferenceData } from '../../src/adapters/db/reference-data.js';

/**
 * PGlite: build one migrated database with the code lists and dump it; every test file starts from a
 * copy (fast), so no test depends on another's data. PostgreSQL: each test file makes its own schema.
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    console.log(
      `database suites run on PostgreSQL: ${process.env.DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}`,
    );
    project.provide('pgliteTemplate', '');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gara-test-'));
  const handle = await openDatabase({});
  await migrateToLatest(handle.db);
  await syncReferenceData(handle.db);
  const dump = await dumpPglite(handle);
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  project.provide('pgliteTemplate', file);
  return () => rmSync(dir, { recursive: true, force: true });
}

async function dumpPglite(handle: Awaited<ReturnType<typeof openDatabase>>): Promise<Blob> {
  if (!handle.dumpDataDir) throw new Error('the PGlite handle cannot dump');
  return handle.dumpDataDir();
}
