import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regularisePending } from '../../src/services/continuity/regularise-pending.js';
import { createHarness, bearer, type Harness } from '../support/harness.js';
import { sampleLot } from '../support/factories.js';
import { engineName } from '../support/test-db.js';

/**
 * Urgent procedures keep the procedure rules (one rule, `startDateFieldOf`, on perfezionamento, urgent
 * registration and regularisation), and a declared outage of CIG issuance has one meaning on every
 * path: it records the outage window and opens the contingency procedure; it does not stop issuance
 * that works, and regularisation is allowed as soon as issuance works.
 */
describe(`urgent procedures and declared outages (${engineName()})`, () => {
  let h: Harness;
  let staff: Awaited<ReturnType<Harness['factories']['user']>>;
  let rup: Awaited<ReturnType<Harness['factories']['rup']>>;
  let incident: string;
  const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: token ? bearer(token) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const urgent = (procedureType: string, dates: Record<string, string>) => ({
    object: 'Fornitura urgente',
    procedureType,
    sector: 'ordinary',
    contractObject: 'supplies',
    urgencyReason: '4',
    motivation: 'Fornitura indifferibile per una emergenza in corso',
    lots: [{ ...sampleLot(), ...dates, bidDeadline: '2026-03-20T12:00:00+01:00' }],
  });

  async function signIn(userId: string): Promise<{ cookie: string; csrf: string }> {
    const page = await h.app.inject({ url: '/accedi' });
    const loginCsrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const loginCookie = page.cookies.find((c) => c.name === 'gara_csrf_accesso')!.value;
    const signed = await h.app.inject({
      method: 'POST',
      url: '/accedi',
      headers: { cookie: `gara_csrf_accesso=${loginCookie}` },
      payload: { csrf: loginCsrf, utente: userId, dopo: '/area-personale' },
    });
    const cookie = `gara_sessione=${signed.cookies.find((c) => c.name === 'gara_sessione')!.value}`;
    const home = await h.app.inject({ url: '/area-personale', headers: { cookie } });
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(home.body)![1]! };
  }

  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00+01:00', demoSignIn: true });
    staff = await h.factories.user('authority_staff');
    rup = await h.factories.rup({ place: '016072006', section: 'PUG' });
    // Staff declare CIG issuance down (the service itself is up).
    const opened = await call('POST', '/api/v1/incidents', staff.token, {
      title: 'Rilascio dei CIG non disponibile',
      impact: 'major_outage',
      services: ['cig_issuance', 'smart_cig'],
      startedAt: '2026-03-02T08:00:00+01:00',
      message: 'Il servizio di rilascio dei CIG non è disponibile.',
    });
    expect(opened.statusCode).toBe(201);
    incident = opened.json().code;
    h.clock.set('2026-03-03T10:00:00+01:00');
  });
  afterAll(() => h.close());

  describe.each(['5', '10', '12'])('invitation-only procedure type %s', (type) => {
    it('perfezionamento needs the invitation date', async () => {
      const { lots } = await h.factories.tender(rup.actor, { procedureType: type });
      const cig = lots[0]!.cig;
      const refused = await call('POST', `/api/v1/lots/${cig}/perfection`, rup.token, {
        publicationDate: '2026-03-03',
        bidDeadline: '2026-03-20T12:00:00+01:00',
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().field).toBe('invitationDate');
      const ok = await call('POST', `/api/v1/lots/${cig}/perfection`, rup.token, {
        invitationDate: '2026-03-03',
        bidDeadline: '2026-03-20T12:00:00+01:00',
      });
      expect(ok.statusCode).toBe(200);
    });

    it('an urgent procedure needs the invitation date, and regularisation keeps it', async () => {
      const refused = await call(
        'POST',
        '/api/v1/provisional-procedures',
        rup.token,
        urgent(type, { publicationDate: '2026-03-02' }),
      );
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'validation_failed', field: 'lots[0].invitationDate' });
      const registered = await call(
        'POST',
        '/api/v1/provisional-procedures',
        rup.token,
        urgent(type, { invitationDate: '2026-03-02' }),
      );
      expect(registered.statusCode).toBe(201);
      expect(registered.json().lots[0]).toMatchObject({
        invitationDate: '2026-03-02',
        publicationDate: null,
      });
      const reference = registered.json().reference;
      const record = await call(
        'POST',
        `/api/v1/provisional-procedures/${reference}/regularisation`,
        rup.token,
      );
      expect(record.statusCode).toBe(200);
      expect(record.json().text).toContain('lettera di invito del 02/03/2026');
      const lot = (await call('GET', `/api/v1/lots/${record.json().lots[0].cig}`, rup.token)).json();
      expect(lot).toMatchObject({ state: 'perfected', invitationDate: '2026-03-02', publicationDate: null });
    });
  });

  it('an open procedure (type 3) needs the publication date, and no invitation date', async () => {
    const missing = await call(
      'POST',
      '/api/v1/provisional-procedures',
      rup.token,
      urgent('3', { invitationDate: '2026-03-02' }),
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.json().field).toBe('lots[0].publicationDate');
    const both = await call(
      'POST',
      '/api/v1/provisional-procedures',
      rup.token,
      urgent('3', { publicationDate: '2026-03-02', invitationDate: '2026-03-02' }),
    );
    expect(both.statusCode).toBe(400);
    expect(both.json().field).toBe('lots[0].invitationDate');
  });

  it('the database refuses a provisional lot without the date its procedure type needs', async () => {
    const registered = (
      await call(
        'POST',
        '/api/v1/provisional-procedures',
        rup.token,
        urgent('5', { invitationDate: '2026-03-02' }),
      )
    ).json();
    const procedure = await h.deps.store.continuity.findProvisional(registered.reference);
    await expect(
      h.deps.store.continuity.insertProvisional(
        { ...procedure!, id: h.deps.ids.uuid(), reference: 'PROV-2026-999999' },
        [
          {
            id: h.deps.ids.uuid(),
            lotNumber: 1,
            object: 'Lotto',
            amountCents: 100_000,
            cpvCode: '50700000',
            istatPlaceCode: '016072006',
            publicationDate: '2026-03-02',
            invitationDate: null,
            bidDeadline: new Date('2026-03-20T11:00:00Z'),
          },
        ],
      ),
    ).rejects.toThrow(/invitation date/);
  });

  it('while the outage is declared, CIGs are still issued on every path and marked with the incident', async () => {
    const tender = await call('POST', '/api/v1/tenders', rup.token, {
      object: 'Gara durante il disservizio',
      procedureType: '3',
      sector: 'ordinary',
      contractObject: 'works',
      lots: [sampleLot()],
    });
    expect(tender.statusCode).toBe(201);
    const lot = await call(
      'POST',
      `/api/v1/tenders/${tender.json().tenderNumber}/lots`,
      rup.token,
      sampleLot(),
    );
    expect(lot.statusCode).toBe(201);
    const smart = await call('POST', '/api/v1/smart-cigs', rup.token, {
      contractType: 'under_threshold',
      contractObject: 'supplies',
      procedureType: '10',
      object: 'Cancelleria',
      amount: '1000.00',
    });
    expect(smart.statusCode).toBe(201);
    const lookup = (await call('GET', `/api/v1/cigs/${lot.json().cig}`)).json();
    expect(lookup.issuedDuringIncidents).toEqual([incident]);
    // The portal forms behave the same.
    const { cookie, csrf } = await signIn(rup.user.id);
    const form = await h.app.inject({
      method: 'POST',
      url: '/area-personale/gare/nuova',
      headers: { cookie },
      payload: {
        csrf,
        oggetto: 'Gara dal portale durante il disservizio',
        procedura: '3',
        settore: 'ordinary',
        oggetto_contratto: 'works',
        lotto_oggetto: 'Lotto unico',
        importo: '250000,00',
        cpv: '45233140',
        luogo: '016072006',
      },
    });
    expect(form.statusCode).toBe(303);
  });

  it('while the outage is declared, regularisation works as soon as issuance does (API, portal, job)', async () => {
    const register = async () =>
      (
        await call(
          'POST',
          '/api/v1/provisional-procedures',
          rup.token,
          urgent('3', { publicationDate: '2026-03-02' }),
        )
      ).json().reference as string;
    // API
    const viaApi = await call(
      'POST',
      `/api/v1/provisional-procedures/${await register()}/regularisation`,
      rup.token,
    );
    expect(viaApi.statusCode).toBe(200);
    expect(viaApi.json().lots[0]).toMatchObject({
      publicationDate: '2026-03-02',
      publicationInsideOutage: true,
    });
    expect(viaApi.json().text).toContain(', in corso)');
    // Portal
    const reference = await register();
    const { cookie, csrf } = await signIn(rup.user.id);
    const button = await h.app.inject({
      method: 'POST',
      url: `/area-personale/procedure-urgenti/${reference}/regolarizzazione`,
      headers: { cookie },
      payload: { csrf },
    });
    expect(button.statusCode).toBe(303);
    expect((await h.deps.store.continuity.findProvisional(reference))!.state).toBe('regularised');
    // Job
    const forJob = await register();
    expect((await regularisePending(h.deps)).regularised).toContain(forJob);
  });

  it('deadlines computed on registration and issuance move off Sundays and holidays', async () => {
    // Issued on 31 March 2026: +90 days is 29 June, Saints Peter and Paul at the Authority's seat (Rome).
    h.clock.set('2026-03-31T10:00:00+02:00');
    const { lots } = await h.factories.tender(rup.actor);
    expect((await call('GET', `/api/v1/lots/${lots[0]!.cig}`, rup.token)).json().perfectionDeadline).toBe(
      '2026-06-30',
    );
    // Registered on 25 November 2026: +30 days is Christmas, then Santo Stefano, then a Sunday.
    h.clock.set('2026-11-25T10:00:00+01:00');
    const registered = await call('POST', '/api/v1/provisional-procedures', rup.token, {
      ...urgent('3', {}),
      lots: [{ ...sampleLot(), publicationDate: '2026-11-25', bidDeadline: '2026-12-15T12:00:00+01:00' }],
    });
    expect(registered.statusCode).toBe(201);
    expect(registered.json().regularisationDeadline).toBe('2026-12-28');
    h.clock.set('2026-03-03T10:00:00+01:00');
  });

  it('the regularisation record prints dates as dd/MM/yyyy and times as HH:mm, Rome time', async () => {
    const reference = (
      await call(
        'POST',
        '/api/v1/provisional-procedures',
        rup.token,
        urgent('3', { publicationDate: '2026-03-02' }),
      )
    ).json().reference;
    h.clock.set('2026-03-03T15:43:00+01:00');
    const text: string = (
      await call('POST', `/api/v1/provisional-procedures/${reference}/regularisation`, rup.token)
    ).json().text;
    expect(text).toContain('dal 02/03/2026 08:00, in corso');
    expect(text).toContain('regolarizzata il 03/03/2026 15:43');
    expect(text).toContain('pubblicazione del 02/03/2026');
    expect(text).toContain('termine offerte 20/03/2026 12:00');
    expect(text).not.toMatch(/\d\d\/\d\d\/\d\d,/);
  });
});
