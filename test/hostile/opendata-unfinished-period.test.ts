/**
 * Hostile pass 3 (issue 14: monthly files and daily deltas, the scheduled job produces each period once).
 * Found: staff (POST /api/v1/opendata/exports, or `gara opendata export`) could export a month or a day
 * that has not ended yet (the current month, 2099-01): the files were published as the month's files,
 * and since the job skips a period already in the catalogue, the month stayed incomplete for good (the
 * lots issued after the early export never reached the open data).
 * Fixed: a period that has not ended (Europe/Rome) is refused, 400 naming `period`
 * (src/services/opendata/export-opendata-period.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opendataRepository } from '../../src/adapters/db/repositories/opendata-repository.js';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';
import { tabularEncoder } from '../../src/adapters/opendata/tabular-encoders.js';
import { opendataJob } from '../../src/services/opendata/opendata-job.js';
import type { OpendataServices } from '../../src/services/opendata/ports.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

describe(`open data: a period that has not ended cannot be exported (${engineName()})`, () => {
  let h: Harness;
  let dir: string;
  let opendata: OpendataServices;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gara-opendata-early-'));
    h = await createHarness({
      now: '2026-11-20T09:00:00Z',
      opendata: (db) =>
        (opendata = {
          repository: opendataRepository(db.db),
          files: directoryFileStore(dir),
          encoder: tabularEncoder,
          ocidPrefix: 'ocds-hu01ve',
          publicUrl: () => 'https://gara.example',
          pageSize: 50,
        }),
    });
  });
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exportPeriod = async (period: string, token: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/opendata/exports',
      headers: bearer(token),
      payload: { period },
    });

  it('the current month, today and a future month are refused; the job later publishes the whole month', async () => {
    const rup = await h.factories.rup();
    const staff = await h.factories.user('authority_staff');
    const early = await h.factories.tender(rup.actor);

    for (const period of ['2026-11', '2026-11-20', '2099-01', '2026-12-01']) {
      const res = await exportPeriod(period, staff.token);
      expect(res.statusCode, `${period}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', field: 'period' });
    }
    expect(await opendata.files.list()).toEqual([]);
    // A period that has ended is exported as before.
    expect((await exportPeriod('2026-11-19', staff.token)).statusCode).toBe(200);

    h.clock.set('2026-11-25T10:00:00Z');
    const late = await h.factories.tender(rup.actor);
    h.clock.set('2026-12-02T06:00:00Z');
    await opendataJob({ ...h.deps, opendata });
    const meta = JSON.parse(readFileSync(join(dir, 'cig_2026-11.json.meta.json'), 'utf8')) as {
      sha256: string;
    };
    const rows = JSON.parse(readFileSync(join(dir, 'blobs', meta.sha256), 'utf8')) as { cig: string }[];
    const cigs = rows.map((r) => r.cig);
    expect(cigs).toContain(early.lots[0]!.cig);
    expect(cigs).toContain(late.lots[0]!.cig);
  });
});
