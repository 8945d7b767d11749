import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Hostile pass (issue 9, point 1: no request can freeze the embedded service). PGlite runs each
 * statement on this process's thread and resolves its promise at once, so a transaction of many
 * statements awaited one after the other never lets the event loop reach its I/O phase: a tender of
 * 200 lots held `/health/live` for 1.7 s and the regularisation of a 200-lot urgent procedure for 6.2 s
 * in the running service (PostgreSQL: 0.04 s). Reproduction against `npm start`:
 *
 *   (while true; do curl -s -o /dev/null -w '%{time_total}\n' localhost:3000/health/live; sleep 0.05; done) &
 *   curl -X POST localhost:3000/api/v1/tenders -H "Authorization: Bearer $RUP" -H 'content-type: application/json' \
 *     -d "$(python3 -c 'import json; print(json.dumps({"object":"Big","procedureType":"6","sector":"ordinary",
 *       "contractObject":"works","lots":[{"object":"L","amount":"1000.00","cpv":"45233140","place":"001001272"}]*200}))')"
 */
describe(`a long transaction does not hold the service (${engineName()})`, () => {
  let h: Harness;
  let rup: string;

  beforeAll(async () => {
    h = await createHarness();
    rup = (await h.factories.rup()).token;
  }, 120_000);
  afterAll(async () => h?.close());

  it('/health/live answers within 1 s while a 200-lot tender is created', async () => {
    const posting = h.app.inject({
      method: 'POST',
      url: '/api/v1/tenders',
      headers: { ...bearer(rup), 'content-type': 'application/json' },
      payload: {
        object: 'Gara di 200 lotti',
        procedureType: '6',
        sector: 'ordinary',
        contractObject: 'works',
        lots: Array.from({ length: 200 }, (_, i) => ({
          object: `Lotto ${i + 1}`,
          amount: '1000.00',
          cpv: '45233140',
          place: '001001272',
        })),
      },
    });
    let done = false;
    void posting.finally(() => (done = true));
    // The longest time between two answers of /health/live asked every 10 ms (timer included).
    let slowest = 0;
    let previous = performance.now();
    while (!done) {
      await new Promise((r) => setTimeout(r, 10));
      expect((await h.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      const now = performance.now();
      slowest = Math.max(slowest, now - previous);
      previous = now;
    }
    const posted = await posting;
    expect(posted.statusCode, posted.body).toBe(201);
    console.log(`slowest /health/live gap during a 200-lot tender: ${Math.round(slowest)} ms`);
    expect(slowest, '/health/live waited this long (ms) behind one tender').toBeLessThan(1000);
  }, 120_000);
});
