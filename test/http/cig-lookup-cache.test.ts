import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/** The public lookup served from its cache (which holds the serialized answer) answers as a fresh read. */
describe(`CIG lookup from the cache (${engineName()})`, () => {
  let h: Harness;
  let uncached: Harness;
  beforeAll(async () => {
    h = await createHarness({ lookupCacheTtlMs: 60_000 });
    uncached = await createHarness({ lookupCacheTtlMs: 0 });
  });
  afterAll(async () => {
    await h.close();
    await uncached.close();
  });

  it('a hit has the same body and headers as the first answer, and as the schema serializes it', async () => {
    const rup = await h.factories.rup();
    const { lots } = await h.factories.tender(rup.actor);
    const cig = lots[0]!.cig;
    const first = await h.app.inject({ url: `/api/v1/cigs/${cig.toLowerCase()}` });
    const hit = await h.app.inject({ url: `/api/v1/cigs/${cig}` });
    for (const res of [first, hit]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=60');
    }
    expect(hit.body).toBe(first.body);
    expect(hit.json()).toMatchObject({ cig, kind: 'lot', state: 'issued', lotNumber: 1 });
    // Unknown codes are not cached and answer problem+json.
    const unknown = await h.app.inject({ url: '/api/v1/cigs/B000000000' });
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);

    // Without the cache, the same lot serializes to the same shape (same keys in the same order).
    const other = await uncached.factories.rup();
    const { lots: l2 } = await uncached.factories.tender(other.actor);
    const fresh = await uncached.app.inject({ url: `/api/v1/cigs/${l2[0]!.cig}` });
    expect(fresh.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(fresh.json())).toEqual(Object.keys(hit.json()));
  });
});
