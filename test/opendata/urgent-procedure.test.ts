import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opendataRepository } from '../../src/adapters/db/repositories/opendata-repository.js';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';
import { tabularEncoder } from '../../src/adapters/opendata/tabular-encoders.js';
import { systemActor } from '../../src/services/context.js';
import { exportOpendataPeriod } from '../../src/services/opendata/export-opendata-period.js';
import { getOcdsRecordPackage } from '../../src/services/opendata/get-ocds-record.js';
import type { OpendataServices } from '../../src/services/opendata/ports.js';
import { sampleLot } from '../support/factories.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';
import { validateRecordPackage, validateReleasePackage } from './ocds-schema.js';

describe(`a procedure started with "CIG in fase di acquisizione" (${engineName()})`, () => {
  let h: Harness;
  let dir: string;
  let opendata: OpendataServices;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gara-opendata-urgent-'));
    h = await createHarness({
      now: '2026-03-02T09:00:00+01:00',
      opendata: (db) =>
        (opendata = {
          repository: opendataRepository(db.db, { streaming: db.engine === 'postgres' }),
          files: directoryFileStore(dir),
          encoder: tabularEncoder,
          ocidPrefix: 'ocds-hu01ve',
          publicUrl: () => 'https://gara.example',
          pageSize: 100,
        }),
    });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appears with its real start and dates, flagged urgent, once regularised', async () => {
    const staff = await h.factories.user('authority_staff');
    const rup = await h.factories.rup();
    const opened = await h.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: bearer(staff.token),
      payload: {
        title: 'Rilascio dei CIG non disponibile',
        impact: 'major_outage',
        services: ['cig_issuance', 'smart_cig'],
        startedAt: '2026-03-02T08:00:00+01:00',
        message: 'Il servizio di rilascio dei CIG non è disponibile.',
      },
    });
    expect(opened.statusCode).toBe(201);
    const registered = await h.app.inject({
      method: 'POST',
      url: '/api/v1/provisional-procedures',
      headers: bearer(rup.token),
      payload: {
        object: 'Fornitura urgente',
        procedureType: '6',
        sector: 'ordinary',
        contractObject: 'supplies',
        urgencyReason: '4',
        motivation: 'Fornitura indifferibile per una emergenza in corso',
        lots: [{ ...sampleLot(), publicationDate: '2026-03-02', bidDeadline: '2026-03-20T12:00:00+01:00' }],
      },
    });
    expect(registered.statusCode).toBe(201);
    h.clock.set('2026-03-05T10:00:00+01:00');
    const regularised = await h.app.inject({
      method: 'POST',
      url: `/api/v1/provisional-procedures/${registered.json().reference}/regularisation`,
      headers: bearer(rup.token),
    });
    expect(regularised.statusCode).toBe(200);

    h.clock.set('2026-04-02T06:00:00+02:00'); // a month is exported once it has ended
    await exportOpendataPeriod({ ...h.deps, opendata }, { period: '2026-03' }, systemActor('test'));
    const read = async (name: string) => {
      const found = await opendata.files.find(name);
      const chunks: Buffer[] = [];
      for await (const c of found!.open()) chunks.push(c as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    };
    const [row] = (await read('cig_2026-03.json')) as Record<string, unknown>[];
    expect(row).toMatchObject({
      FLAG_URGENZA: 'S',
      COD_MOTIVO_URGENZA: '4',
      data_inizio_procedura: '2026-03-02',
    });
    const pkg = (await read('ocds_2026-03.json')) as {
      releases: {
        ocid: string;
        date: string;
        tag: string[];
        tender: { lots: unknown[]; tenderPeriod: unknown };
      }[];
    };
    expect(validateReleasePackage(pkg), JSON.stringify(validateReleasePackage.errors)).toBe(true);
    const first = pkg.releases[0]!;
    // The tender release is dated when the procedure was registered, with its lot and real dates.
    expect(first.tag).toEqual(['tender']);
    expect(first.date).toBe('2026-03-02T08:00:00Z');
    expect(first.tender.lots).toHaveLength(1);
    expect(first.tender.tenderPeriod).toEqual({
      startDate: '2026-03-01T23:00:00Z',
      endDate: '2026-03-20T11:00:00Z',
    });
    const record = await getOcdsRecordPackage({ opendata }, { ocid: first.ocid });
    expect(validateRecordPackage(record), JSON.stringify(validateRecordPackage.errors)).toBe(true);
  });
});
