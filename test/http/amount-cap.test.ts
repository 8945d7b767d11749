import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { sampleLot, sampleTender } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

/**
 * Money stays exact: a lot is at most 9,999,999,999.99 euro (schema and database) and a tender has at
 * most 9,000 lots, so a tender's total is an exact sum of integer cents.
 */
describe(`amount cap (${engineName()})`, () => {
  let h: Harness;
  let rup: Awaited<ReturnType<Harness['factories']['rup']>>;
  beforeAll(async () => {
    h = await createHarness();
    rup = await h.factories.rup();
  });
  afterAll(() => h.close());

  const create = (amount: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/tenders',
      headers: bearer(rup.token),
      payload: sampleTender({ lots: Array.from({ length: 200 }, () => sampleLot({ amount })) }),
    });

  it('refuses 200 lots of 9,999,999,999,999.99 euro, naming the field; nothing is written', async () => {
    const before = await h.db.db
      .selectFrom('tenders')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const res = await create('9999999999999.99');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', field: 'lots[0].amount' });
    const after = await h.db.db
      .selectFrom('tenders')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(Number(after!.n)).toBe(Number(before!.n));
  });

  it('sums 200 lots at the cap exactly', async () => {
    const res = await create('9999999999.99');
    expect(res.statusCode).toBe(201);
    // 200 x 999,999,999,999 cents = 199,999,999,999,800 cents
    expect(res.json<{ totalAmount: string }>().totalAmount).toBe('1999999999998.00');
  });

  it('the database refuses a lot above the cap', async () => {
    const lot = await h.db.db.selectFrom('lots').select('id').executeTakeFirstOrThrow();
    await expect(
      sql`UPDATE lots SET amount_cents = 1000000000000 WHERE id = ${lot.id}`.execute(h.db.db),
    ).rejects.toThrow(/lots_amount_cap/);
  });

  it('a 9,001st lot is refused with a 4xx naming the rule, never a 500', async () => {
    const res = await create('1000.00');
    expect(res.statusCode).toBe(201);
    const tenderNumber = res.json<{ tenderNumber: string }>().tenderNumber;
    // 9,000 lots would take minutes to issue one by one: the tender's counter stands where they would leave it
    await sql`UPDATE tenders SET lot_count = 9000 WHERE tender_number = ${tenderNumber}`.execute(h.db.db);
    const extra = await h.app.inject({
      method: 'POST',
      url: `/api/v1/tenders/${tenderNumber}/lots`,
      headers: bearer(rup.token),
      payload: sampleLot({ amount: '1000.00' }),
    });
    expect(extra.statusCode, extra.body).toBeGreaterThanOrEqual(400);
    expect(extra.statusCode, extra.body).toBeLessThan(500);
    expect(extra.json<{ detail: string }>().detail).toMatch(/9,000 lots/);
  });
});
