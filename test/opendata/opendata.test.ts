import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opendataRepository } from '../../src/adapters/db/repositories/opendata-repository.js';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';
import { tabularEncoder } from '../../src/adapters/opendata/tabular-encoders.js';
import { systemActor } from '../../src/services/context.js';
import { cigDataset } from '../../src/services/opendata/datasets.js';
import { exportOpendataPeriod } from '../../src/services/opendata/export-opendata-period.js';
import { getOcdsRecordPackage } from '../../src/services/opendata/get-ocds-record.js';
import type { OpendataServices } from '../../src/services/opendata/ports.js';
import { cancelLot } from '../../src/services/tenders/cancel-lot.js';
import { cancelTender } from '../../src/services/tenders/cancel-tender.js';
import { perfectLot } from '../../src/services/tenders/perfect-lot.js';
import { sampleLot } from '../support/factories.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';
import {
  codelist,
  validateCoreRelease,
  validateRecordPackage,
  validateRelease,
  validateReleasePackage,
} from './ocds-schema.js';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe(`open data files (${engineName()})`, () => {
  let h: Harness;
  let dir: string;
  let opendata: OpendataServices;
  const deps = () => ({ ...h.deps, opendata });
  const personal: string[] = [];
  let tenderA: number;
  let tenderB: number;
  let cancelledCig: string;
  let perfectedCig: string;

  const file = (name: string) => {
    const entry = readFileSync(join(dir, `${name}.meta.json`), 'utf8');
    return readFileSync(join(dir, 'blobs', (JSON.parse(entry) as { sha256: string }).sha256));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gara-opendata-'));
    h = await createHarness({
      now: '2026-11-03T09:00:00Z',
      opendata: (db) =>
        (opendata = {
          repository: opendataRepository(db.db, { streaming: db.engine === 'postgres' }),
          files: directoryFileStore(dir),
          encoder: tabularEncoder,
          ocidPrefix: 'ocds-hu01ve',
          publicUrl: () => 'https://gara.example',
          pageSize: 2, // several pages even with a handful of rows
        }),
    });
    const rup = await h.factories.rup();
    personal.push(rup.user.name, rup.user.email);
    const a = await h.factories.tender(rup.actor, {
      object: 'Lavori; "strada" =provinciale',
      lots: [sampleLot({ amount: '1234.56' }), sampleLot(), sampleLot({ amount: '0.05' })],
    });
    tenderA = a.tender.tenderNumber;
    perfectedCig = a.lots[0]!.cig;
    cancelledCig = a.lots[1]!.cig;
    h.clock.set('2026-11-10T10:00:00Z');
    await perfectLot(
      h.deps,
      { cig: perfectedCig, publicationDate: '2026-11-10', bidDeadline: new Date('2026-12-10T11:00:00Z') },
      rup.actor,
    );
    h.clock.set('2026-11-11T10:00:00Z');
    await cancelLot(h.deps, { cig: cancelledCig, reason: 2 }, rup.actor);
    h.clock.set('2026-11-12T10:00:00Z');
    const b = await h.factories.tender(rup.actor, { procedureType: '10', contractObject: 'supplies' });
    tenderB = b.tender.tenderNumber;
    h.clock.set('2026-11-13T10:00:00Z');
    await cancelLot(h.deps, { cig: b.lots[0]!.cig, reason: 1 }, rup.actor);
    await cancelTender(h.deps, { tenderNumber: tenderB, reason: 7 }, rup.actor);
    // December: a lot of tender A perfected (a daily delta), nothing new issued.
    h.clock.set('2026-12-01T10:00:00Z');
    await perfectLot(
      h.deps,
      { cig: a.lots[2]!.cig, publicationDate: '2026-12-01', bidDeadline: new Date('2027-01-10T11:00:00Z') },
      rup.actor,
    );
    h.clock.set('2026-12-02T06:00:00Z');
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a month's CIG file has the Authority's columns, every lot, cancelled ones with their reason", async () => {
    const files = await exportOpendataPeriod(deps(), { period: '2026-11' }, systemActor('test'));
    expect(files.map((f) => f.name)).toEqual([
      'ocds_2026-11.json',
      'cig_2026-11.csv',
      'cig_2026-11.json',
      'smartcig_2026-11.csv',
      'smartcig_2026-11.json',
      'stazioni-appaltanti_2026-11.csv',
      'stazioni-appaltanti_2026-11.json',
    ]);
    const csv = file('cig_2026-11.csv').toString('utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(cigDataset.columns.join(';'));
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(1 + 4 + 1);
    const rows = lines.slice(1, -1).map((l) => l.split(';'));
    const col = (name: string) => cigDataset.columns.indexOf(name);
    const byCig = new Map(rows.map((r) => [r[0]!, r]));
    // The object has ; and " inside: quoted, so split(';') is off for those rows; check via JSON below.
    expect([...byCig.keys()].filter((k) => /^[A-Z0-9]{10}$/.test(k))).toHaveLength(4);
    const json = JSON.parse(file('cig_2026-11.json').toString('utf8')) as Record<string, unknown>[];
    expect(json).toHaveLength(4);
    expect(json.map((r) => r.cig)).toEqual([...json.map((r) => r.cig)].sort());
    const cancelled = json.find((r) => r.cig === cancelledCig)!;
    expect(cancelled).toMatchObject({
      stato: 'CANCELLATO',
      COD_MOTIVO_CANCELLAZIONE: 2,
      MOTIVO_CANCELLAZIONE: 'CIG richiesto per errore',
      DATA_CANCELLAZIONE: '2026-11-11',
      numero_gara: tenderA,
      oggetto_gara: 'Lavori; "strada" =provinciale',
      anno_pubblicazione: 2026,
      mese_pubblicazione: 11,
    });
    const perfected = json.find((r) => r.cig === perfectedCig)!;
    expect(perfected).toMatchObject({
      importo_lotto: 1234.56,
      importo_complessivo_gara: 251234.61,
      stato: 'CONFERMATO',
      DATA_ULTIMO_PERFEZIONAMENTO: '2026-11-10',
      data_scadenza_offerta: '2026-12-10',
      FLAG_URGENZA: 'N',
    });
    // In the CSV: decimal comma, the formula-looking object kept as text, quoted.
    const perfectedLine = lines.find((l) => l.startsWith(perfectedCig))!;
    expect(perfectedLine).toContain(';1234,56;');
    expect(perfectedLine).toContain(';251234,61;');
    expect(perfectedLine).toContain(`;"Lavori; ""strada"" =provinciale";`);
    expect(lines.find((l) => l.includes(';0,05;'))).toBeDefined();
    expect(lines.find((l) => l.startsWith(cancelledCig))).toContain(
      ';2;CIG richiesto per errore;2026-11-11;;N;;',
    );
    // Tender B's row has no quoted cell: its columns line up.
    const rowB = rows.find((r) => r[col('numero_gara')] === String(tenderB))!;
    expect(rowB[col('COD_MOTIVO_CANCELLAZIONE')]).toBe('1');
    expect(rowB[col('tipo_scelta_contraente')]).toBe('Affidamento diretto');
    expect(rowB[col('oggetto_principale_contratto')]).toBe('FORNITURE');
  });

  it('no file carries personal data (RUP name or e-mail)', async () => {
    for (const name of readdirSync(join(dir, 'blobs'))) {
      const text = readFileSync(join(dir, 'blobs', name), 'utf8');
      for (const value of personal) expect(text).not.toContain(value);
    }
  });

  it('producing a month twice gives byte-identical files', async () => {
    const first = await opendata.files.list();
    h.clock.set('2026-12-02T18:00:00Z');
    const again = await exportOpendataPeriod(deps(), { period: '2026-11' }, systemActor('test'));
    for (const f of again) expect(first.find((x) => x.name === f.name)?.sha256).toBe(f.sha256);
    for (const f of again) expect(sha(file(f.name))).toBe(f.sha256);
  });

  it('a month with no data publishes files with their header, not an error', async () => {
    const files = await exportOpendataPeriod(deps(), { period: '2026-01' }, systemActor('test'));
    expect(file('cig_2026-01.csv').toString('utf8')).toBe(`${cigDataset.columns.join(';')}\r\n`);
    expect(JSON.parse(file('cig_2026-01.json').toString('utf8'))).toEqual([]);
    expect(files.every((f) => f.rows === 0)).toBe(true);
    // An OCDS release package needs at least one release (schema: minItems 1): none is published.
    expect(files.map((f) => f.name)).not.toContain('ocds_2026-01.json');
    expect(await opendata.files.find('ocds_2026-01.json')).toBeNull();
  });

  it("a day's delta holds the lots perfected (or issued, or cancelled) that day", async () => {
    await exportOpendataPeriod(deps(), { period: '2026-12-01' }, systemActor('test'));
    const json = JSON.parse(file('cig_delta_2026-12-01.json').toString('utf8')) as Record<string, unknown>[];
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ stato: 'CONFERMATO', DATA_ULTIMO_PERFEZIONAMENTO: '2026-12-01' });
  });

  it('the OCDS release package and record packages validate against the official 1.1.5 schemas with the lots extension', async () => {
    const pkg = JSON.parse(file('ocds_2026-11.json').toString('utf8')) as {
      releases: { ocid: string; id: string; tag: string[]; tender: Record<string, unknown> }[];
    };
    expect(validateReleasePackage(pkg), JSON.stringify(validateReleasePackage.errors)).toBe(true);
    const ofA = pkg.releases.filter((r) => r.ocid === `ocds-hu01ve-${tenderA}`);
    const ofB = pkg.releases.filter((r) => r.ocid === `ocds-hu01ve-${tenderB}`);
    expect(ofA.map((r) => r.tag[0])).toEqual(['tender', 'tenderUpdate', 'tenderUpdate']);
    expect(ofB.map((r) => r.tag[0])).toEqual(['tender', 'tenderCancellation']);
    expect(ofB[1]!.tender).toMatchObject({
      status: 'cancelled',
      procurementMethod: 'direct',
      mainProcurementCategory: 'goods',
    });
    expect(new Set(pkg.releases.map((r) => r.id)).size).toBe(pkg.releases.length);
    const record = await getOcdsRecordPackage(deps(), { ocid: `ocds-hu01ve-${tenderA}` });
    expect(validateRecordPackage(record), JSON.stringify(validateRecordPackage.errors)).toBe(true);
    const { records } = record as { records: { releases: { id: string }[] }[] };
    // December's perfection is a fourth release; the November ones keep their ids.
    expect(records[0]!.releases.map((r) => r.id).slice(0, 3)).toEqual(ofA.map((r) => r.id));
    expect(records[0]!.releases).toHaveLength(4);

    interface Seen {
      tag: string[];
      initiationType: string;
      parties: { roles: string[] }[];
      tender: {
        status: string;
        mainProcurementCategory: string;
        procurementMethod: string;
        value: { currency: string };
        lots: { status: string }[];
        items: { classification: { scheme: string } }[];
      };
    }
    const values: [string, unknown][] = [];
    for (const r of [...pkg.releases, ...records[0]!.releases] as unknown as Seen[]) {
      values.push(['releaseTag', r.tag[0]], ['initiationType', r.initiationType]);
      values.push(
        ['tenderStatus', r.tender.status],
        ['procurementCategory', r.tender.mainProcurementCategory],
      );
      values.push(['method', r.tender.procurementMethod], ['currency', r.tender.value.currency]);
      for (const p of r.parties) for (const role of p.roles) values.push(['partyRole', role]);
      for (const lot of r.tender.lots) values.push(['tenderStatus', lot.status]);
      for (const item of r.tender.items)
        values.push(['itemClassificationScheme', item.classification.scheme]);
    }
    for (const [list, value] of values)
      expect(codelist(list).has(String(value)), `${list}: ${value}`).toBe(true);
  });

  it('the lots extension is part of the validation: a malformed lot passes the core schema, not core+lots', async () => {
    const pkg = JSON.parse(file('ocds_2026-11.json').toString('utf8')) as {
      releases: { tender: { lots: Record<string, unknown>[]; items: Record<string, unknown>[] } }[];
    };
    const release = pkg.releases.find((r) => r.tender.lots.length > 0)!;
    expect(validateRelease(release), JSON.stringify(validateRelease.errors)).toBe(true);
    const broken = structuredClone(release);
    broken.tender.lots[0]!.status = 'aggiudicato'; // not in the tenderStatus codelist
    broken.tender.lots[0]!.value = { amount: '1234.56', currency: 'EUR' }; // a string, not a number
    broken.tender.items[0]!.relatedLot = 7; // must be a string
    expect(validateCoreRelease(broken), JSON.stringify(validateCoreRelease.errors)).toBe(true);
    expect(validateRelease(broken)).toBe(false);
    const paths = (validateRelease.errors ?? []).map((e) => e.instancePath).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        '/tender/items/0/relatedLot',
        '/tender/lots/0/status',
        '/tender/lots/0/value/amount',
      ]),
    );
  });

  it('serves the catalogue and the files with ETag, SHA-256 and licence; staff only may export', async () => {
    const catalogue = await h.app.inject({ method: 'GET', url: '/opendata/catalogo.json' });
    expect(catalogue.statusCode).toBe(200);
    const entry = (
      catalogue.json() as { files: { name: string; sha256: string; url: string; bytes: number }[] }
    ).files.find((f) => f.name === 'cig_2026-11.csv')!;
    const got = await h.app.inject({ method: 'GET', url: entry.url });
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe(`"${entry.sha256}"`);
    expect(sha(got.rawPayload)).toBe(entry.sha256);
    expect(got.rawPayload.length).toBe(entry.bytes);
    const again = await h.app.inject({
      method: 'GET',
      url: entry.url,
      headers: { 'if-none-match': `"${entry.sha256}"` },
    });
    expect(again.statusCode).toBe(304);
    const page = await h.app.inject({ method: 'GET', url: '/opendata/' });
    expect(page.body).toContain('CC BY 4.0');
    expect(page.body).toContain(entry.sha256);
    const ocds = await h.app.inject({ method: 'GET', url: '/opendata/ocds/ocds_2026-11.json' });
    expect(ocds.statusCode).toBe(200);
    const record = await h.app.inject({
      method: 'GET',
      url: `/opendata/ocds/records/ocds-hu01ve-${tenderB}.json`,
    });
    expect(validateRecordPackage(record.json())).toBe(true);
    expect((await h.app.inject({ method: 'GET', url: '/opendata/files/nothing.csv' })).statusCode).toBe(404);

    const rup = await h.factories.rup();
    const staff = await h.factories.user('authority_staff');
    const post = (token: string, period: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/opendata/exports',
        headers: bearer(token),
        payload: { period },
      });
    expect((await post(rup.token, '2026-11')).statusCode).toBe(403);
    expect((await post(staff.token, '2026-13')).statusCode).toBe(400);
    const made = await post(staff.token, '2026-11');
    expect(made.statusCode).toBe(200);
    const madeFiles = (made.json() as { files: { name: string; sha256: string }[] }).files;
    expect(madeFiles).toHaveLength(7);
    expect(madeFiles.find((f) => f.name === entry.name)?.sha256).toBe(entry.sha256);
  });
});
