/**
 * Hostile: while the database is frozen, a route outside /api/ that serves a file or a feed
 * (`/opendata/ocds/records/<ocid>.json`, `/opendata/catalogo.json`) answered the portal's HTML 503 page:
 * a program reading JSON got HTML. A machine route gets problem+json 503 with Retry-After; an HTML page
 * (by extension, then Accept) still gets the portal's page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tabularEncoder } from '../../src/adapters/opendata/tabular-encoders.js';
import type { OpendataServices } from '../../src/services/opendata/ports.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

const never = () => new Promise<never>(() => undefined);

describe(`routes outside /api/ while the database is frozen (${engineName()})`, () => {
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'gara-opendata-freeze-'));
  beforeAll(async () => {
    // Frozen: every read of the open-data repository and the files, and the ping, wait forever.
    const frozen = new Proxy({}, { get: () => never }) as OpendataServices['repository'];
    h = await createHarness({
      ping: never,
      databaseDeadlineMs: 100,
      opendata: () => ({
        repository: frozen,
        files: { publish: never, list: never, find: never },
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

  it.each(['/opendata/ocds/records/ocds-hu01ve-0000001.json', '/opendata/catalogo.json'])(
    '%s answers problem+json 503 with Retry-After',
    async (url) => {
      const res = await h.app.inject({ method: 'GET', url, headers: { accept: '*/*' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json()).toMatchObject({ status: 503 });
    },
    20_000,
  );

  it('a program asking /opendata/ for JSON gets problem+json; a browser gets the HTML page', async () => {
    const program = await h.app.inject({
      method: 'GET',
      url: '/opendata/',
      headers: { accept: 'application/json' },
    });
    expect(program.statusCode).toBe(503);
    expect(program.headers['content-type']).toMatch(/^application\/problem\+json/);
    const browser = await h.app.inject({
      method: 'GET',
      url: '/opendata/',
      headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' },
    });
    expect(browser.statusCode).toBe(503);
    expect(browser.headers['content-type']).toMatch(/^text\/html/);
    expect(browser.headers['retry-after']).toBeDefined();
  }, 20_000);
});
