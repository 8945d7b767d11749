import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opendataRepository } from '../../src/adapters/db/repositories/opendata-repository.js';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';
import { tabularEncoder } from '../../src/adapters/opendata/tabular-encoders.js';
import { systemActor } from '../../src/services/context.js';
import { exportOpendataPeriodOnce } from '../../src/services/opendata/export-opendata-period-once.js';
import type { OpendataServices } from '../../src/services/opendata/ports.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * The run of a period is released even when the database does not answer at the moment the export
 * ends (found by the hostile pass: a 10 s freeze of PostgreSQL left three periods blocked for the
 * whole hour of their lease, the service being alive and well).
 */
describe(`open data: a run released once the database answers again (${engineName()})`, () => {
  let h: Harness;
  let opendata: OpendataServices;
  const dir = mkdtempSync(join(tmpdir(), 'gara-opendata-release-'));

  beforeAll(async () => {
    h = await createHarness({
      now: '2026-12-03T09:00:00Z',
      opendata: (db) =>
        (opendata = {
          repository: opendataRepository(db.db, { streaming: true }),
          files: directoryFileStore(dir),
          encoder: tabularEncoder,
          ocidPrefix: 'ocds-hu01ve',
          publicUrl: () => 'https://gara.example',
          pageSize: 100,
        }),
    });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a release that fails does not change the answer and is tried again until it succeeds', async () => {
    let failures = 2;
    const flaky: OpendataServices = {
      ...opendata,
      repository: {
        ...opendata.repository,
        releaseExportRun: async (period, holder) => {
          if (failures > 0) {
            failures -= 1;
            throw new Error('Connection terminated due to connection timeout');
          }
          return opendata.repository.releaseExportRun(period, holder);
        },
      },
    };
    const deps = { ...h.deps, opendata: flaky };
    const files = await exportOpendataPeriodOnce(deps, { period: '2026-11' }, systemActor('test'), {
      attempts: 5,
      delayMs: 20,
    });
    expect(files.length).toBeGreaterThan(0);
    // Released in the background after two failures: the period can be produced again, long before the
    // lease (one hour) would have freed it.
    let again: unknown;
    for (let i = 0; i < 100 && again === undefined; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      // 409 export_running while the run is still held: ask again.
      again = await exportOpendataPeriodOnce(
        { ...h.deps, opendata },
        { period: '2026-11' },
        systemActor('test'),
      ).catch(() => undefined);
    }
    expect(failures).toBe(0);
    expect(Array.isArray(again)).toBe(true);
  });
});
