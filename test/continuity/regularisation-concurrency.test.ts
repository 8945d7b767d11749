import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { sampleLot } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

/**
 * Ten regularisations of one provisional procedure at once (the RUP clicking, the job running): one
 * tender is created, and every caller gets it — the ones that waited on the lock included.
 */
describe(`concurrent regularisation (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2021-05-03T09:30:00+02:00', poolSize: 12 });
  });
  afterAll(() => h.close());

  it('creates one tender and answers its number to all ten callers', async () => {
    const staff = await h.factories.user('authority_staff');
    const rup = await h.factories.rup({ place: '016072006', section: 'PUG' });
    const call = (url: string, token: string, payload?: object) =>
      h.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
    const opened = await call('/api/v1/incidents', staff.token, {
      title: 'Interruzione del servizio CIG',
      impact: 'major_outage',
      services: ['cig_issuance'],
      startedAt: '2021-05-03T08:00:00+02:00',
      message: 'Il servizio di acquisizione dei CIG non è disponibile.',
    });
    expect(opened.statusCode).toBe(201);
    h.clock.set('2021-05-04T10:00:00+02:00');
    const registered = await call('/api/v1/provisional-procedures', rup.token, {
      object: 'Fornitura urgente di dispositivi di protezione individuale',
      procedureType: '3', // an open procedure: its lots carry a publication date
      sector: 'ordinary',
      contractObject: 'supplies',
      urgencyReason: '4',
      motivation: "Fornitura indifferibile per l'emergenza sanitaria in corso",
      lots: [
        {
          ...sampleLot({ object: 'Mascherine FFP2', amount: '380000.00', cpv: '33140000' }),
          publicationDate: '2021-05-05',
          bidDeadline: '2021-05-20T12:00:00+02:00',
        },
      ],
    });
    expect(registered.statusCode).toBe(201);
    const reference = registered.json<{ reference: string }>().reference;
    h.clock.set('2021-05-07T11:00:00+02:00');
    const resolved = await call(
      `/api/v1/incidents/${opened.json<{ code: string }>().code}/updates`,
      staff.token,
      {
        state: 'resolved',
        message: 'Il servizio è stato ripristinato.',
        resolvedAt: '2021-05-07T10:30:00+02:00',
      },
    );
    expect(resolved.statusCode).toBe(200);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(`/api/v1/provisional-procedures/${reference}/regularisation`, rup.token),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array<number>(10).fill(200));
    const tenders = await h.db.db
      .selectFrom('tenders')
      .select('tender_number')
      .where('contracting_authority_id', '=', rup.user.contractingAuthorityId!)
      .execute();
    expect(tenders).toHaveLength(1);
    const numbers = answers.map((a) => String(a.json<{ tenderNumber: string | number }>().tenderNumber));
    expect(numbers).toEqual(Array<string>(10).fill(String(tenders[0]!.tender_number)));
    const cigs = answers.map((a) =>
      JSON.stringify(a.json<{ lots: { cig: string }[] }>().lots.map((l) => l.cig)),
    );
    expect(new Set(cigs).size).toBe(1);
  });
});
