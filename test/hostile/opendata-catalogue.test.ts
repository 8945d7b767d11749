/**
 * Hostile: `/opendata/` was not rate-limited (only `/api/` was) and every catalogue request read every
 * `.meta.json` in OPENDATA_DIR: an anonymous loop of catalogue requests cost one folder read per file
 * each, unbounded. Now /opendata counts against the rate limit by address, and the catalogue is kept in
 * memory until this process publishes or the folder changes (another process's publication).
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opendataRepository } from '../../src/adapters/db/repositories/opendata-repository.js';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';
import { tabularEncoder } from '../../src/adapters/opendata/tabular-encoders.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

const entry = (name: string) => ({ name, dataset: 'cig', period: '2026-11', format: 'csv' as const });
const content = async function* () {
  yield 'cig\r\n';
};

describe('the open-data catalogue is cached', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gara-opendata-catalogue-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read once while the folder is unchanged, again after a publication here or elsewhere', async () => {
    const store = directoryFileStore(dir);
    await store.publish(entry('cig_2026-11.csv'), content(), () => 1);
    const old = new Date(Date.now() - 60_000);
    utimesSync(dir, old, old);
    expect((await store.list()).map((f) => f.rows)).toEqual([1]);

    // Rewritten in place (the folder's time does not change): the cached catalogue answers.
    const description = join(dir, 'cig_2026-11.csv.meta.json');
    const original = readFileSync(description, 'utf8');
    writeFileSync(description, original.replace('"rows": 1', '"rows": 99'));
    utimesSync(dir, old, old);
    expect((await store.list()).map((f) => f.rows)).toEqual([1]);

    // Another process publishes (a description renamed into the folder): seen.
    writeFileSync(join(dir, '.tmp-other'), original.replace('cig_2026-11.csv', 'cig_2026-10.csv'));
    renameSync(join(dir, '.tmp-other'), join(dir, 'cig_2026-10.csv.meta.json'));
    expect((await store.list()).map((f) => f.name)).toEqual(['cig_2026-10.csv', 'cig_2026-11.csv']);

    // This process publishes: seen at once, whatever the folder's time.
    await store.publish(entry('cig_2026-12.csv'), content(), () => 3);
    utimesSync(dir, old, old);
    expect((await store.list()).map((f) => f.name)).toContain('cig_2026-12.csv');
  });
});

describe(`/opendata is rate-limited by address (${engineName()})`, () => {
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'gara-opendata-limit-'));
  beforeAll(async () => {
    h = await createHarness({
      rateLimitMax: 3,
      opendata: (db) => ({
        repository: opendataRepository(db.db),
        files: directoryFileStore(dir),
        encoder: tabularEncoder,
        ocidPrefix: 'ocds-hu01ve',
        publicUrl: () => 'https://gara.example',
        pageSize: 100,
      }),
    });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the fourth catalogue request from one address in the window gets 429; another address does not', async () => {
    const get = (url: string, ip = '203.0.113.7') => h.app.inject({ method: 'GET', url, remoteAddress: ip });
    const statuses = [];
    for (const url of ['/opendata/', '/opendata/catalogo.json', '/opendata/', '/opendata/'])
      statuses.push((await get(url)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await get('/opendata/', '203.0.113.8')).statusCode).toBe(200);
  });
});
