/**
 * Hostile: N parallel `POST /api/v1/opendata/exports` for one period ran N full exports (each reading
 * every row of the period and writing every file). Now one run per period at a time, in all processes
 * (a database row with a lease): a second request while one runs gets 409 (reason export_running).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opendataRepository } from '../../src/adapters/db/repositories/opendata-repository.js';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';
import { tabularEncoder } from '../../src/adapters/opendata/tabular-encoders.js';
import type { OpendataServices } from '../../src/services/opendata/ports.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

describe(`one open-data export per period at a time (${engineName()})`, () => {
  let h: Harness;
  let opendata: OpendataServices;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'gara-opendata-runs-'));
  beforeAll(async () => {
    h = await createHarness({
      now: '2026-11-03T09:00:00Z',
      opendata: (db) =>
        (opendata = {
          repository: opendataRepository(db.db),
          files: directoryFileStore(dir),
          encoder: tabularEncoder,
          ocidPrefix: 'ocds-hu01ve',
          publicUrl: () => 'https://gara.example',
          pageSize: 100,
        }),
    });
    token = (await h.factories.user('authority_staff')).token;
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (period: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/opendata/exports',
      headers: bearer(token),
      payload: { period },
    });

  it('parallel requests for one period: one export, the others 409', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => post('2026-10')));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
    const refused = answers.find((a) => a.statusCode === 409)!;
    expect(refused.json()).toMatchObject({ reason: 'export_running' });
    // Once it has ended, the period can be produced again.
    expect((await post('2026-10')).statusCode).toBe(200);
  });

  it("another process's run (a database row, not this process's memory) refuses; its end or lapsed lease frees the period", async () => {
    const other = randomUUID();
    const now = h.clock.now();
    expect(
      await opendata.repository.claimExportRun('2026-09', other, now, new Date(now.getTime() + 60_000)),
    ).toBe(true);
    expect((await post('2026-09')).statusCode).toBe(409);
    await opendata.repository.releaseExportRun('2026-09', other);
    expect((await post('2026-09')).statusCode).toBe(200);

    // A run whose process died: its lease has run out, so it blocks nothing.
    const lapsed = new Date(now.getTime() - 2 * 3_600_000);
    expect(
      await opendata.repository.claimExportRun(
        '2026-08',
        randomUUID(),
        lapsed,
        new Date(lapsed.getTime() + 60_000),
      ),
    ).toBe(true);
    expect((await post('2026-08')).statusCode).toBe(200);
  });
});
