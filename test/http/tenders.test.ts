import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCig } from '../../src/domain/cig/cig.js';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { sampleLot, sampleTender } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

describe(`tenders and lots over HTTP (${engineName()})`, () => {
  let h: Harness;
  let rup: Awaited<ReturnType<Harness['factories']['rup']>>;
  let otherRup: Awaited<ReturnType<Harness['factories']['rup']>>;

  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
    rup = await h.factories.rup();
    otherRup = await h.factories.rup({ place: '012058091', section: 'LAZ' });
  });
  afterAll(() => h.close());

  const post = (url: string, token: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(token), ...headers },
      payload: payload as object,
    });
  const get = (url: string, token?: string) =>
    h.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });

  it('a RUP creates a tender with lots and gets a 7-digit number and one valid PCP CIG per lot', async () => {
    const res = await post(
      '/api/v1/tenders',
      rup.token,
      sampleTender({ lots: [sampleLot(), sampleLot({ amount: '90000.50' })] }),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.tenderNumber).toMatch(/^[0-9]{7}$/);
    expect(body.lots).toHaveLength(2);
    for (const lot of body.lots) {
      expect(validateCig(lot.cig)).toEqual({ valid: true, code: lot.cig, family: 'pcp' });
      expect(lot.state).toBe('issued');
      expect(lot.perfectionDeadline).toBe('2026-06-01'); // 90 days: Sunday 31 May moves to Monday
    }
    expect(body.lots.map((l: { lotNumber: number }) => l.lotNumber)).toEqual([1, 2]);
    expect(body.totalAmount).toBe('340000.50');
    expect(body.contractingAuthority.id).toBe(rup.authority.id);

    const fetched = await get(`/api/v1/tenders/${body.tenderNumber}`, rup.token);
    expect(fetched.statusCode).toBe(200);
    expect(fetched.json().lots.map((l: { cig: string }) => l.cig)).toEqual(
      body.lots.map((l: { cig: string }) => l.cig),
    );
  });

  it("another authority's tenders are invisible (404), and no token is a 401 problem", async () => {
    const { tender, lots } = await h.factories.tender(rup.actor);
    const other = await get(`/api/v1/tenders/${tender.tenderNumber}`, otherRup.token);
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await get(`/api/v1/lots/${lots[0]!.cig}`, otherRup.token)).statusCode).toBe(404);
    const addLot = await post(`/api/v1/tenders/${tender.tenderNumber}/lots`, otherRup.token, sampleLot());
    expect(addLot.statusCode).toBe(404);
    const list = await get('/api/v1/tenders', otherRup.token);
    expect(list.json().items.map((t: { tenderNumber: string }) => t.tenderNumber)).not.toContain(
      String(tender.tenderNumber),
    );

    const anonymous = await get('/api/v1/tenders');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({
      status: 401,
      code: 'unauthorized',
      requestId: expect.any(String),
    });
    expect((await get('/api/v1/tenders', 'gara_not-a-real-token')).statusCode).toBe(401);
  });

  it('only a RUP creates tenders (403 for others)', async () => {
    const operator = await h.factories.user('admin');
    const res = await post('/api/v1/tenders', operator.token, sampleTender());
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it('adds a lot to a tender; a cancelled tender takes no lot', async () => {
    const { tender } = await h.factories.tender(rup.actor);
    const res = await post(
      `/api/v1/tenders/${tender.tenderNumber}/lots`,
      rup.token,
      sampleLot({ object: 'Lotto aggiunto' }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      lotNumber: 2,
      tenderNumber: String(tender.tenderNumber),
      state: 'issued',
    });
  });

  it('names the offending field of a malformed request and writes nothing', async () => {
    const before = await h.db.db
      .selectFrom('tenders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const cases: [unknown, string][] = [
      [sampleTender({ lots: [sampleLot({ amount: '12,50' })] }), 'lots[0].amount'],
      [sampleTender({ lots: [sampleLot({ cpv: '12345678' })] }), 'lots[0].cpv'],
      [sampleTender({ lots: [sampleLot({ place: '000000000' })] }), 'lots[0].place'],
      [sampleTender({ procedureType: '99' }), 'procedureType'],
      [{ ...sampleTender(), colour: 'blue' }, 'colour'],
      [{ ...sampleTender(), object: undefined }, 'object'],
      [sampleTender({ lots: [] }), 'lots'],
      [sampleTender({ costCentre: 'NOPE' }), 'costCentre'],
    ];
    for (const [payload, field] of cases) {
      const res = await post('/api/v1/tenders', rup.token, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', field });
    }
    const malformed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tenders',
      headers: { ...bearer(rup.token), 'content-type': 'application/json' },
      payload: '{"object": ',
    });
    expect(malformed.statusCode).toBe(400);
    const after = await h.db.db
      .selectFrom('tenders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('perfects a lot once, with publication date and a later bid deadline', async () => {
    const { lots } = await h.factories.tender(rup.actor);
    const cig = lots[0]!.cig;
    h.clock.set('2026-03-10T09:00:00Z');
    try {
      const bad = await post(`/api/v1/lots/${cig}/perfection`, rup.token, {
        publicationDate: '2026-03-09',
        bidDeadline: '2026-03-08T12:00:00+01:00',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().field).toBe('bidDeadline');
      const ok = await post(`/api/v1/lots/${cig}/perfection`, rup.token, {
        publicationDate: '2026-03-09',
        bidDeadline: '2026-04-09T12:00:00+02:00',
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({
        state: 'perfected',
        publicationDate: '2026-03-09',
        bidDeadline: '2026-04-09T10:00:00.000Z',
      });
      const again = await post(`/api/v1/lots/${cig}/perfection`, rup.token, {
        publicationDate: '2026-03-09',
        bidDeadline: '2026-04-09T12:00:00+02:00',
      });
      expect(again.statusCode).toBe(409);
      const cancel = await post(`/api/v1/lots/${cig}/cancellation`, rup.token, { reason: 2 });
      expect(cancel.statusCode).toBe(409);
      expect(cancel.json()).toMatchObject({ code: 'invalid_state', reason: 'lot_perfected' });
    } finally {
      h.clock.set('2026-03-02T09:00:00Z');
    }
  });

  it('cancels lots with official reasons, then the tender; cancelled codes stay visible to anyone', async () => {
    const { tender, lots } = await h.factories.tender(rup.actor, { lots: [sampleLot(), sampleLot()] });
    const [a, b] = lots.map((l) => l.cig) as [string, string];
    expect((await post(`/api/v1/lots/${a}/cancellation`, rup.token, { reason: 4 })).json()).toMatchObject({
      code: 'validation_failed',
      field: 'note',
    });
    const early = await post(`/api/v1/tenders/${tender.tenderNumber}/cancellation`, rup.token, { reason: 7 });
    expect(early.statusCode).toBe(409);
    expect(early.json().reason).toBe('lots_not_cancelled');
    expect(
      (await post(`/api/v1/lots/${a}/cancellation`, rup.token, { reason: 4, note: 'Importo errato' }))
        .statusCode,
    ).toBe(200);
    expect((await post(`/api/v1/lots/${b}/cancellation`, rup.token, { reason: 1 })).statusCode).toBe(200);
    const wrongReason = await post(`/api/v1/tenders/${tender.tenderNumber}/cancellation`, rup.token, {
      reason: 2,
    });
    expect(wrongReason.json()).toMatchObject({ code: 'validation_failed', field: 'reason' });
    const done = await post(`/api/v1/tenders/${tender.tenderNumber}/cancellation`, rup.token, { reason: 7 });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ state: 'cancelled', cancellation: { reason: 7 } });
    expect(
      (await post(`/api/v1/tenders/${tender.tenderNumber}/lots`, rup.token, sampleLot())).json().reason,
    ).toBe('tender_cancelled');

    const lookup = await get(`/api/v1/cigs/${a}`);
    expect(lookup.statusCode).toBe(200);
    expect(lookup.json()).toMatchObject({
      cig: a,
      family: 'pcp',
      kind: 'lot',
      state: 'cancelled',
      cancellation: { reason: 4, reasonLabel: 'Altro', note: 'Importo errato' },
      contractingAuthority: { fiscalCode: rup.authority.fiscalCode },
    });

    const history = await get(`/api/v1/lots/${a}/history`, rup.token);
    expect(history.json().items.map((i: { action: string }) => i.action)).toEqual([
      'lot.issued',
      'lot.cancelled',
    ]);
    expect(history.json().items[1]).toMatchObject({
      before: { state: 'issued' },
      after: { state: 'cancelled', cancelReason: 4 },
    });
  });

  it('public lookup: invalid code 400 with the reason, unknown valid code 404', async () => {
    const invalid = await get('/api/v1/cigs/BC1B001599');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({
      code: 'validation_failed',
      reason: 'check_mismatch',
      field: 'code',
    });
    const legacy = await get('/api/v1/cigs/9050626CD6');
    expect(legacy.statusCode).toBe(404);
    expect(legacy.json().detail).toMatch(/SIMOG v1/);
    const batch = await h.app.inject({
      method: 'POST',
      url: '/api/v1/cig-validations',
      payload: { codes: ['Z1E31EB332', 'CIG in fase di acquisizione'] },
    });
    expect(batch.json()).toMatchObject({
      invalid: 1,
      results: [
        { valid: true, family: 'smart_cig' },
        { valid: false, reason: 'wrong_length' },
      ],
    });
  });

  it('SmartCIG: issued under 40,000 EUR, refused at 40,000 with a clear error', async () => {
    const body = {
      contractType: 'under_threshold',
      contractObject: 'supplies',
      procedureType: '10',
      object: 'Cancelleria',
      amount: '39999.99',
    };
    const ok = await post('/api/v1/smart-cigs', rup.token, body);
    expect(ok.statusCode).toBe(201);
    expect(validateCig(ok.json().cig)).toMatchObject({ valid: true, family: 'smart_cig' });
    const refused = await post('/api/v1/smart-cigs', rup.token, { ...body, amount: '40000.00' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      code: 'rule_violation',
      reason: 'smart_cig_amount_limit',
      field: 'amount',
    });
    expect((await get(`/api/v1/cigs/${ok.json().cig}`)).json()).toMatchObject({
      kind: 'smart_cig',
      state: 'issued',
    });
  });
});
