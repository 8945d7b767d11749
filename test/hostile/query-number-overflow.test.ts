/**
 * Hostile pass 3 (numbers like 1e309 in every field, query strings included).
 * Found: a query-string or path integer written as 1e309 (or 1e400, or Infinity) passed validation:
 * Ajv coerces the text to the number Infinity, which its integer check accepts and its minimum/maximum
 * checks skip (they only compare finite numbers), so `GET /api/v1/tenders?limit=1e309` reached
 * PostgreSQL and answered 500 ("invalid input syntax for type bigint: Infinity"). JSON bodies were not
 * affected (Ajv checks parsed numbers for finiteness).
 * Fixed: after validation, a query-string or path parameter coerced to a non-finite number is a 400
 * naming it (src/http/input-guard.ts, a global preHandler hook).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

describe(`query-string numbers that overflow to Infinity (${engineName()})`, () => {
  let h: Harness;
  let rup: Awaited<ReturnType<Harness['factories']['rup']>>;
  let admin: Awaited<ReturnType<Harness['factories']['user']>>;
  beforeAll(async () => {
    h = await createHarness();
    rup = await h.factories.rup();
    admin = await h.factories.user('admin');
    await h.factories.tender(rup.actor);
  });
  afterAll(() => h?.close());

  it.each([
    ['rup', '/api/v1/tenders?limit=1e309', 'limit'],
    ['rup', '/api/v1/tenders?offset=1e309', 'offset'],
    ['rup', '/api/v1/tenders?limit=Infinity', 'limit'],
    ['rup', '/api/v1/smart-cigs?offset=-1e400', 'offset'],
    ['admin', '/api/v1/users?limit=1e400', 'limit'],
  ])('%s GET %s is a 400 naming %s', async (who, url, field) => {
    const res = await h.app.inject({
      method: 'GET',
      url,
      headers: bearer(who === 'rup' ? rup.token : admin.token),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', field });
  });

  it('finite values written with an exponent still work', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/tenders?limit=1e1',
      headers: bearer(rup.token),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ limit: 10 });
  });
});
