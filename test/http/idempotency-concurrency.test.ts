import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCig } from '../../src/domain/cig/cig.js';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { sampleLot, sampleTender } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

describe(`idempotency and concurrency (${engineName()})`, () => {
  let h: Harness;
  let rup: Awaited<ReturnType<Harness['factories']['rup']>>;

  beforeAll(async () => {
    h = await createHarness({ poolSize: 32 });
    rup = await h.factories.rup();
  });
  afterAll(() => h.close());

  const addLot = (tenderNumber: number, key?: string, lot = sampleLot()) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/tenders/${tenderNumber}/lots`,
      headers: { ...bearer(rup.token), ...(key ? { 'idempotency-key': key } : {}) },
      payload: lot,
    });

  const lotCount = async (tenderId: string) =>
    Number(
      (
        await h.db.db
          .selectFrom('lots')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tender_id', '=', tenderId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a retry with the same key returns the same CIG; a different body with it is a 422', async () => {
    const first = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tenders',
      headers: { ...bearer(rup.token), 'idempotency-key': 'tender-abc-1' },
      payload: sampleTender(),
    });
    expect(first.statusCode).toBe(201);
    const retry = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tenders',
      headers: { ...bearer(rup.token), 'idempotency-key': 'tender-abc-1' },
      payload: sampleTender(),
    });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    const reused = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tenders',
      headers: { ...bearer(rup.token), 'idempotency-key': 'tender-abc-1' },
      payload: sampleTender({ object: 'Un altro appalto' }),
    });
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'idempotency_key_reused', field: 'Idempotency-Key' });
  });

  it('200 concurrent lot creations yield 200 distinct valid CIGs', async () => {
    const { tender } = await h.factories.tender(rup.actor, { lots: [sampleLot()] });
    const responses = await Promise.all(Array.from({ length: 200 }, () => addLot(tender.tenderNumber)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(200).fill(201));
    const cigs = responses.map((r) => r.json().cig as string);
    expect(new Set(cigs).size).toBe(200);
    for (const cig of cigs) expect(validateCig(cig)).toMatchObject({ valid: true, family: 'pcp' });
    const numbers = responses.map((r) => r.json().lotNumber as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i + 2));
    expect(await lotCount(tender.id)).toBe(201);
  });

  it('200 concurrent retries of one idempotency key yield one CIG', async () => {
    const { tender } = await h.factories.tender(rup.actor, { lots: [sampleLot()] });
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => addLot(tender.tenderNumber, 'same-key-200')),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(200).fill(201));
    expect(new Set(responses.map((r) => r.json().cig)).size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(199);
    expect(await lotCount(tender.id)).toBe(2);
  });

  it('a failed request does not burn its key: the corrected retry succeeds', async () => {
    const { tender } = await h.factories.tender(rup.actor);
    const bad = await addLot(tender.tenderNumber, 'key-after-error', sampleLot({ cpv: '00000000' }));
    expect(bad.statusCode).toBe(400);
    const keyRows = await h.db.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('key', '=', 'key-after-error')
      .execute();
    expect(keyRows).toHaveLength(0);
    const good = await addLot(tender.tenderNumber, 'key-after-error', sampleLot());
    expect(good.statusCode).toBe(201);
    const replay = await addLot(tender.tenderNumber, 'key-after-error', sampleLot());
    expect(replay.json().cig).toBe(good.json().cig);
  });
});
