import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/db/database.js';
import { translateDbError, translatingErrors } from '../../src/adapters/db/db-errors.js';
import { opendataRepository } from '../../src/adapters/db/repositories/opendata-repository.js';
import { createStore } from '../../src/adapters/db/store.js';
import { directoryFileStore } from '../../src/adapters/opendata/file-store.js';
import { tabularEncoder } from '../../src/adapters/opendata/tabular-encoders.js';
import { FixedClock } from '../../src/domain/shared/clock.js';
import { buildApp } from '../../src/http/app.js';
import { TokenAuthenticator } from '../../src/services/auth/authenticate.js';
import { openIncident } from '../../src/services/continuity/incidents.js';
import type { ServiceDeps } from '../../src/services/context.js';
import { publishNotice } from '../../src/services/notices/publish-notice.js';
import type { OpendataServices } from '../../src/services/opendata/ports.js';
import type { Store } from '../../src/services/ports.js';
import { Factories } from '../support/factories.js';
import { bearer, serviceDeps } from '../support/harness.js';
import { routeTable } from '../support/route-table.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/test-db.js';

/**
 * DATABASE_READ_URL (issue 12, point 2): every public read that may be a second stale is served by the
 * read store (`config.replicaRead`), with the same use cases; nothing else is. Checked three ways: the
 * route table read with a primary that refuses every connection (which anonymous GETs still answer),
 * a read store that is a database of its own (the answers carry its rows, not the primary's), and a
 * read whose connection breaks once (tried again, not answered 503).
 */

/** A database whose every connection is refused (a primary being replaced). */
function unreachableDatabase(): Database {
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  return new Kysely({
    dialect: translatingErrors(
      new PostgresDialect({
        pool: {
          connect: async () => {
            throw refused();
          },
          end: async () => undefined,
        } as never,
      }),
    ),
  });
}

const opendataOver = (db: Database, dir: string): OpendataServices => ({
  repository: opendataRepository(db),
  files: directoryFileStore(dir),
  encoder: tabularEncoder,
  ocidPrefix: 'ocds-hu01ve',
  publicUrl: () => 'https://gara.example',
  pageSize: 100,
});

async function appOf(options: {
  deps: ServiceDeps;
  readStore: Store;
  opendata?: OpendataServices;
  opendataReads?: OpendataServices;
}): Promise<FastifyInstance> {
  const app = await buildApp({
    deps: options.deps,
    authenticator: new TokenAuthenticator(options.deps),
    ping: async () => undefined,
    engine: engineName(),
    version: 'test',
    rateLimit: { max: 100_000, windowMs: 60_000 },
    readStore: options.readStore,
    opendata: options.opendata,
    opendataReads: options.opendataReads,
  });
  await app.ready();
  return app;
}

describe(`public reads from the read store (${engineName()})`, () => {
  const clock = new FixedClock('2026-03-02T09:00:00Z');
  let replica: TestDatabase;
  let primary: TestDatabase;
  let replicaDeps: ServiceDeps;
  let dir: string;
  let cig: string;
  let noticeId: string;
  let incidentCode: string;
  let staffToken: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gara-replica-reads-'));
    // Two databases: the rows below exist on the "replica" only, so an answer carrying them was read there.
    [replica, primary] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    replicaDeps = serviceDeps(replica.db, clock);
    const factories = new Factories(replicaDeps);
    await factories.sections();
    await new Factories(serviceDeps(primary.db, clock)).sections();
    const rup = await factories.rup();
    cig = (await factories.tender(rup.actor)).lots[0]!.cig;
    const staff = await factories.user('authority_staff');
    staffToken = (await new Factories(serviceDeps(primary.db, clock)).user('authority_staff')).token;
    noticeId = (
      await publishNotice(
        replicaDeps,
        {
          title: 'Comunicato letto dalla replica',
          body: 'Testo del comunicato.',
          kind: 'information',
          noticeDate: '2026-03-02',
        },
        staff.actor,
      )
    ).id;
    incidentCode = (
      await openIncident(
        replicaDeps,
        { title: 'Disservizio di prova', impact: 'degraded', services: ['notices'], message: 'Verifica.' },
        staff.actor,
      )
    ).code;
  });
  afterAll(async () => {
    await Promise.all([replica?.destroy(), primary?.destroy()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('every anonymous GET either needs no database, reads the read store, or is listed here', async () => {
    const down = unreachableDatabase();
    const app = await appOf({
      deps: { ...replicaDeps, store: createStore(down) },
      readStore: replicaDeps.store,
      opendata: opendataOver(down, dir),
      opendataReads: opendataOver(replica.db, dir),
    });
    try {
      const sample: Record<string, string> = {
        cig,
        id: noticeId,
        reference: 'PROV-2026-000001',
        file: 'ocds-hu01ve-1.json',
        name: 'cig-2026-03.csv',
      };
      const valueOf = (path: string, param: string) =>
        path.startsWith('/stato/attestazioni')
          ? 'ATT-INC-2026-0999.pdf' // well formed: looked up, not found (404 from the read store)
          : param === 'code'
            ? path.includes('incidents')
              ? incidentCode
              : path.includes('sections')
                ? 'PUG'
                : cig
            : (sample[param] ?? 'x');
      const token = '?token=abcdefghijklmnop';
      const query: Record<string, string> = {
        '/api/v1/reference/cpv': '?q=5070',
        '/api/v1/reference/places': '?q=Bari',
        '/api/v1/subscriptions/confirmation': token,
        '/api/v1/subscriptions/cancellation': token,
        '/iscrizioni/conferma': token,
        '/iscrizioni/annulla': token,
      };
      const withoutPrimary: string[] = [];
      const needsPrimary: string[] = [];
      for (const route of routeTable(app)) {
        // (Swagger UI's own files.)
        if (route.method !== 'GET' || route.path.includes('*') || route.path.startsWith('/docs/')) continue;
        const url =
          route.path.replace(/:(\w+)/g, (_, p: string) => encodeURIComponent(valueOf(route.path, p))) +
          (query[route.path] ?? '');
        const res = await app.inject({ method: 'GET', url });
        if (
          res.statusCode === 401 ||
          (res.statusCode === 302 && /^\/accedi/.test(res.headers.location ?? ''))
        )
          continue; // signed-in only
        (res.statusCode >= 500 ? needsPrimary : withoutPrimary).push(`${route.path} ${res.statusCode}`);
      }
      // Answered with the primary refusing every connection: from memory, without a database, or from
      // the read store. A public read added later reads the primary and lands in the list below instead.
      expect({ withoutPrimary: withoutPrimary.sort(), needsPrimary: needsPrimary.sort() }).toEqual({
        withoutPrimary: [
          // The read store (config.replicaRead).
          '/api/v1/cig-validations/:code 200',
          '/api/v1/cigs/:code 200',
          '/api/v1/incidents/:code 200',
          '/api/v1/notices 200',
          '/api/v1/notices/:id 200',
          '/api/v1/provisional-procedures/:reference 404',
          '/api/v1/reference/cpv 200',
          '/api/v1/reference/places 200',
          '/api/v1/reference/procedure-types 200',
          '/api/v1/reference/urgency-reasons 200',
          '/api/v1/regional-sections 200',
          '/api/v1/regional-sections/:code 200',
          '/cig 200',
          '/comunicati 200',
          '/comunicati/:id 200',
          '/comunicati/feed.atom 200',
          '/opendata 301',
          '/opendata/ 200',
          '/opendata/catalogo.json 200',
          '/opendata/files/:name 404',
          '/opendata/ocds/:name 404',
          '/opendata/ocds/records/:file 404',
          '/stato/attestazioni/:name 404',
          // The monitor's memory, static pages, the service's own documents.
          '/ 200',
          '/api/v1/status 200',
          '/api/v1/status/history 200',
          '/assets/portal.css 200',
          '/dichiarazione-di-accessibilita 200',
          '/docs 200',
          '/health/live 200',
          '/health/ready 200',
          '/metrics 200',
          '/openapi.json 200',
          '/stato 200',
          '/stato/attestazioni/verifica 200',
          '/status 200',
          '/status/feed.atom 200',
          // The pages of a subscription's link: a button that POSTs (the change needs the primary).
          '/iscrizioni/annulla 200',
          '/iscrizioni/conferma 200',
        ].sort(),
        // Public GETs that read the primary, on purpose: they write (a subscription confirmed or
        // cancelled by its link), or are the form of something that needs the primary anyway (signing
        // in, subscribing).
        needsPrimary: [
          '/accedi 503',
          '/api/v1/subscriptions/cancellation 503',
          '/api/v1/subscriptions/confirmation 503',
          '/iscrizioni 503',
        ].sort(),
      });
    } finally {
      await app.close();
      await down.destroy();
    }
  });

  it('the replica reads carry the read store rows; a signed-in caller reads the primary', async () => {
    const app = await appOf({ deps: serviceDeps(primary.db, clock), readStore: replicaDeps.store });
    try {
      const body = async (url: string, headers: Record<string, string> = {}) => {
        const res = await app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBe(200);
        return res.body;
      };
      expect(JSON.parse(await body(`/api/v1/cigs/${cig}`))).toMatchObject({ cig });
      expect(await body('/api/v1/notices')).toContain(noticeId);
      expect(await body(`/api/v1/notices/${noticeId}`)).toContain('Comunicato letto dalla replica');
      expect(await body(`/api/v1/incidents/${incidentCode}`)).toContain('Disservizio di prova');
      expect(await body('/comunicati')).toContain('Comunicato letto dalla replica');
      expect(await body(`/comunicati/${noticeId}`)).toContain('Comunicato letto dalla replica');
      expect(await body('/comunicati/feed.atom')).toContain('Comunicato letto dalla replica');
      expect(await body(`/cig?codice=${cig}`)).toContain(cig);
      // The primary has none of them: a staff member (who may be reading a draft just written) reads there.
      const signedIn = await app.inject({
        method: 'GET',
        url: `/api/v1/notices/${noticeId}`,
        headers: bearer(staffToken),
      });
      expect(signedIn.statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('a replica read whose connection broke is tried once more; twice broken answers 503', async () => {
    let failures = 0;
    const breaking: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (failures > 0) {
          failures--;
          throw translateDbError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
        }
        return args.result;
      },
    };
    const app = await appOf({
      deps: serviceDeps(primary.db, clock),
      readStore: createStore(replica.db.withPlugin(breaking)),
    });
    try {
      failures = 1;
      const once = await app.inject({ method: 'GET', url: `/api/v1/cigs/${cig}` });
      expect(once.statusCode).toBe(200);
      expect(failures).toBe(0);
      failures = 1;
      expect((await app.inject({ method: 'GET', url: `/comunicati/${noticeId}` })).statusCode).toBe(200);
      failures = 10;
      const twice = await app.inject({ method: 'GET', url: `/api/v1/cigs/${cig}` });
      expect(twice.statusCode).toBe(503);
      expect(twice.headers['retry-after']).toBe('5');
      // Two attempts, each failing on its first query: no third.
      expect(failures).toBe(8);
    } finally {
      await app.close();
    }
  });
});
