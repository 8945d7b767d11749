import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleLot } from '../support/factories.js';
import { bearer, createHarness, type Harness } from '../support/harness.js';
import { StatementLog } from '../support/statement-log.js';
import { engineName } from '../support/test-db.js';

/**
 * POST /tenders/{n}/lots with an Idempotency-Key: the key is claimed, and the answer stored, by the
 * grouped issuance statement itself (as inserisciLotto's), no longer in a transaction of its own (BEGIN,
 * claim, issue, store the answer, COMMIT); the answers stay those of every other idempotent POST.
 */
describe(`POST /tenders/{n}/lots with an Idempotency-Key (${engineName()})`, () => {
  let h: Harness;
  let rup: Awaited<ReturnType<Harness['factories']['rup']>>;
  const log = new StatementLog();

  beforeAll(async () => {
    h = await createHarness({ poolSize: 16, servicesDb: log.wrap });
    rup = await h.factories.rup();
  });
  afterAll(() => h?.close());

  const addLot = (tenderNumber: number, key: string | undefined, lot = sampleLot(), token = rup.token) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/tenders/${tenderNumber}/lots`,
      headers: { ...bearer(token), ...(key ? { 'idempotency-key': key } : {}) },
      payload: lot,
    });
  const tender = async () => (await h.factories.tender(rup.actor)).tender.tenderNumber;
  const codesIssued = async () => {
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    return Number(/^gara_codes_issued_total\{family="pcp"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };
  const keyRow = (key: string) =>
    h.db.db
      .selectFrom('idempotency_keys')
      .select(['status_code', 'response'])
      .where('key', '=', key)
      .executeTakeFirst();
  const lotCount = async (tenderNumber: number) =>
    Number(
      (
        await h.db.db
          .selectFrom('lots as l')
          .innerJoin('tenders as t', 't.id', 'l.tender_id')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('t.tender_number', '=', tenderNumber)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('is one statement: no transaction, the key claimed and its answer stored by the issuance statement', async () => {
    const n = await tender();
    expect((await addLot(n, undefined)).statusCode).toBe(201); // token, code lists and CIG block in memory
    log.clear();
    const res = await addLot(n, 'una-sola-istruzione');
    expect(res.statusCode, res.body).toBe(201);
    expect(log.transactions).toBe(0);
    expect(log.mentioning('idempotency_keys')).toHaveLength(1);
    expect(log.mentioning('idempotency_keys')[0]).toContain('INSERT INTO lots');
    expect(log.statements).toHaveLength(1);
  });

  it('two keyed issuances on two tenders sent at once are written by one statement', async () => {
    const [a, b] = [await tender(), await tender()];
    expect((await addLot(a, undefined)).statusCode).toBe(201);
    log.clear();
    const answers = await Promise.all([addLot(a, 'insieme-a'), addLot(b, 'insieme-b')]);
    expect(answers.map((r) => r.statusCode)).toEqual([201, 201]);
    expect(log.mentioning('INSERT INTO lots')).toHaveLength(1);
    expect(log.transactions).toBe(0);
  });

  it('stores the full answer; a repeat gets it back, replayed; the key with another body is refused', async () => {
    const n = await tender();
    const counted = await codesIssued();
    const first = await addLot(n, 'risposta-completa', sampleLot({ object: 'Lotto con chiave' }));
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.json()).toMatchObject({ lotNumber: 2, tenderNumber: String(n), object: 'Lotto con chiave' });
    const stored = await keyRow('risposta-completa');
    expect(stored?.status_code).toBe(201);
    const response = typeof stored?.response === 'string' ? JSON.parse(stored.response) : stored?.response;
    expect(response).toEqual(first.json());

    const again = await addLot(n, 'risposta-completa', sampleLot({ object: 'Lotto con chiave' }));
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.body).toBe(first.body);

    const other = await addLot(n, 'risposta-completa', sampleLot({ object: 'Un altro lotto' }));
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'idempotency_key_reused', field: 'Idempotency-Key' });
    // an invalid body with a used key: the key decides, as when it was claimed before any check
    const invalid = await addLot(n, 'risposta-completa', sampleLot({ cpv: '00000000' }));
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json()).toMatchObject({ code: 'idempotency_key_reused' });
    // the same key on another tender is another request
    const elsewhere = await addLot(
      await tender(),
      'risposta-completa',
      sampleLot({ object: 'Lotto con chiave' }),
    );
    expect(elsewhere.statusCode).toBe(422);
    expect(await lotCount(n)).toBe(2);
    expect(await codesIssued()).toBe(counted + 1); // the replay and the refusals issued nothing
  });

  it('refusals store nothing: another authority (404), a cancelled tender (409); a repeat after cancellation is still answered', async () => {
    const stranger = await h.factories.rup();
    const n = await tender();
    const foreign = await addLot(n, 'di-un-altro', sampleLot(), stranger.token);
    expect(foreign.statusCode).toBe(404);
    expect(await keyRow('di-un-altro')).toBeUndefined();

    const done = await addLot(n, 'prima-della-cancellazione');
    expect(done.statusCode).toBe(201);
    const lots = (await h.app.inject({ url: `/api/v1/tenders/${n}`, headers: bearer(rup.token) })).json<{
      lots: { cig: string }[];
    }>().lots;
    for (const { cig } of lots) {
      const cancelled = await h.app.inject({
        method: 'POST',
        url: `/api/v1/lots/${cig}/cancellation`,
        headers: bearer(rup.token),
        payload: { reason: 1 },
      });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
    }
    const cancelled = await h.app.inject({
      method: 'POST',
      url: `/api/v1/tenders/${n}/cancellation`,
      headers: bearer(rup.token),
      payload: { reason: 5 },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);

    const refused = await addLot(n, 'dopo-la-cancellazione');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'invalid_state', reason: 'tender_cancelled' });
    expect(await keyRow('dopo-la-cancellazione')).toBeUndefined();
    const repeat = await addLot(n, 'prima-della-cancellazione');
    expect(repeat.statusCode).toBe(201);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body).toBe(done.body);
  });

  it('one key sent for two tenders at once: one lot; the other request is refused (422)', async () => {
    const [a, b] = [await tender(), await tender()];
    const answers = await Promise.all([addLot(a, 'una-chiave-due-gare'), addLot(b, 'una-chiave-due-gare')]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 422]);
    expect((await lotCount(a)) + (await lotCount(b))).toBe(3);
  });
});
