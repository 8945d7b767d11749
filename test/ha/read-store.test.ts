import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/adapters/db/store.js';
import { openDatabase } from '../../src/adapters/db/database.js';
import { FixedClock } from '../../src/domain/shared/clock.js';
import { buildApp } from '../../src/http/app.js';
import { isUnavailable } from '../../src/http/problem.js';
import { translateDbError } from '../../src/adapters/db/db-errors.js';
import { TokenAuthenticator } from '../../src/services/auth/authenticate.js';
import { StatusMonitor } from '../../src/services/status/status-monitor.js';
import { Factories } from '../support/factories.js';
import { serviceDeps } from '../support/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

/**
 * DATABASE_READ_URL: the public reads go to the read store and keep answering while the primary is
 * down (the monitor says so); the writes fail fast with 503. A read store that is itself unreachable
 * answers 503 + Retry-After, never 500.
 */
describe('public reads from the replicas (DATABASE_READ_URL)', () => {
  let db: TestDatabase;
  let cig: string;
  let token: string;
  const clock = new FixedClock('2026-03-02T09:00:00Z');
  const primaryUp = { current: true };

  beforeAll(async () => {
    db = await createTestDatabase();
    const deps = serviceDeps(db.db, clock);
    const factories = new Factories(deps);
    await factories.sections();
    const rup = await factories.rup();
    token = rup.token;
    const { lots } = await factories.tender(rup.actor);
    cig = lots[0]!.cig;
  });
  afterAll(async () => db?.destroy());

  async function app(readStore: ReturnType<typeof createStore> | undefined) {
    const deps = serviceDeps(db.db, clock);
    const ping = async () => {
      if (!primaryUp.current)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5440'), { code: 'ECONNREFUSED' });
      await db.ping();
    };
    const monitor = new StatusMonitor(deps, { ping, failuresToOpen: 1 });
    const built = await buildApp({
      deps,
      authenticator: new TokenAuthenticator(deps),
      ping,
      engine: db.engine,
      version: 'test',
      rateLimit: { max: 100_000, windowMs: 60_000 },
      monitor,
      readStore,
    });
    return { app: built, monitor };
  }

  it('answers CIG lookups and the comunicati feed from the read store while the primary is down', async () => {
    const { app: withReplica, monitor } = await app(createStore(db.db));
    const { app: without, monitor: monitor2 } = await app(undefined);
    try {
      primaryUp.current = false;
      await monitor.tick();
      await monitor2.tick();
      expect(monitor.databaseUp).toBe(false);

      const lookup = await withReplica.inject({ method: 'GET', url: `/api/v1/cigs/${cig}` });
      expect(lookup.statusCode).toBe(200);
      expect(lookup.json()).toMatchObject({ cig });
      expect(
        (await withReplica.inject({ method: 'GET', url: `/api/v1/cig-validations/${cig}` })).statusCode,
      ).toBe(200);
      expect((await withReplica.inject({ method: 'GET', url: '/comunicati/feed.atom' })).statusCode).toBe(
        200,
      );
      // A write still needs the primary: 503 at once, with Retry-After.
      const write = await withReplica.inject({
        method: 'GET',
        url: '/api/v1/tenders',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(write.statusCode).toBe(503);
      expect(write.headers['retry-after']).toBeDefined();

      // Without a read store, the same lookup fails fast like every other API call.
      const failing = await without.inject({ method: 'GET', url: `/api/v1/cigs/${cig}` });
      expect(failing.statusCode).toBe(503);
      expect(failing.headers['retry-after']).toBeDefined();
    } finally {
      primaryUp.current = true;
      await withReplica.close();
      await without.close();
    }
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'answers 503 + Retry-After when the read store is unreachable',
    async () => {
      const unreachable = await openDatabase({
        url: 'postgres://postgres@127.0.0.1:1/none',
        connectTimeoutMs: 500,
      });
      const { app: built } = await app(createStore(unreachable.db));
      try {
        const lookup = await built.inject({ method: 'GET', url: `/api/v1/cigs/${cig}` });
        expect(lookup.statusCode).toBe(503);
        expect(lookup.headers['retry-after']).toBe('5');
      } finally {
        await built.close();
        await unreachable.close();
      }
    },
  );
});

// A driver error is translated in adapters/db (translateDbError), then mapped by problem.ts.
describe('failover errors are unavailability (503), not internal errors (500)', () => {
  it.each([
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '57P03', message: 'the database system is in recovery mode' }],
    [{ code: '25006', message: 'cannot execute INSERT in a read-only transaction' }],
    [{ code: 'ECONNRESET', message: 'read ECONNRESET' }],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5440' }],
    [{ message: 'Connection terminated unexpectedly' }],
    [{ message: 'the database system is starting up' }],
  ])('%o', (error) => {
    expect(isUnavailable(translateDbError(error))).toBe(true);
  });

  it('a constraint violation is not', () => {
    expect(
      isUnavailable(
        translateDbError({ code: '23505', message: 'duplicate key value violates unique constraint' }),
      ),
    ).toBe(false);
  });
});
