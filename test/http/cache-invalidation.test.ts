import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCacheBus, postgresCacheBus } from '../../src/adapters/db/cache-bus.js';
import type { CacheBus, CacheEvent } from '../../src/services/cache-bus.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Issue 12, point 3: a change drops what the other processes cached of it, and only a change that
 * committed does (docs/decisions.md, "Cache invalidation is sent after the commit"). On PostgreSQL the
 * events go through LISTEN/NOTIFY to a second listener, as to another process; on PGlite (one
 * process) the bus is the process's own.
 */
describe(`cache invalidation after a change, never after a rolled-back one (${engineName()})`, () => {
  let h: Harness;
  const buses: CacheBus[] = [];
  let other: (CacheBus & { readonly listening: boolean }) | undefined;
  /** What "another process" received (PostgreSQL), or what this process published (PGlite). */
  const received: CacheEvent[] = [];
  let token: string;
  let cig: string;

  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    h = await createHarness({
      cacheBus: (db) => {
        if (!url) {
          const bus = localCacheBus();
          bus.subscribe((event) => received.push(event));
          return bus;
        }
        const listener = postgresCacheBus({ url, db: db.db, schema: db.schema });
        listener.subscribe((event) => received.push(event));
        other = listener;
        const mine = postgresCacheBus({ url, db: db.db, schema: db.schema });
        buses.push(listener, mine);
        return mine;
      },
    });
    const rup = await h.factories.rup();
    token = rup.token;
    cig = (await h.factories.tender(rup.actor)).lots[0]!.cig;
    // Both listeners connected (PostgreSQL): an event sent now is delivered.
    for (let i = 0; i < 100 && other && !other.listening; i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all(buses.map((b) => b.close()));
  });

  const settle = () => new Promise((r) => setTimeout(r, process.env.DATABASE_URL ? 500 : 20));
  const cancel = () =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/lots/${cig}/cancellation`,
      headers: bearer(token),
      payload: { reason: 1 },
    });

  it('a committed change drops the lot everywhere; the same change refused (rolled back) sends nothing', async () => {
    received.length = 0;
    expect((await cancel()).statusCode).toBe(200);
    await settle();
    expect(received).toEqual([{ kind: 'lookup', cig }]);

    // Cancelling it again: the use case's transaction reads the lot, refuses, rolls back.
    received.length = 0;
    const again = await cancel();
    expect(again.statusCode).toBe(409);
    await settle();
    expect(received).toEqual([]);
  });
});
