import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRtV2Request, parseResponse } from '../../src/adapters/pagopa/pa-for-node-soap.js';
import { expireReserves } from '../../src/services/continuity/expire-reserves.js';
import { regularisePending } from '../../src/services/continuity/regularise-pending.js';
import { remindRegularisations } from '../../src/services/continuity/remind-regularisations.js';
import { createHarness, bearer, testCreditor, type Harness } from '../support/harness.js';
import { sampleLot } from '../support/factories.js';
import { engineName } from '../support/test-db.js';
import { caller, openPosition, soap } from '../payments/support.js';
import { withNumericCheckDigit } from '../../src/domain/registry/fiscal-code.js';

/**
 * The seed letter, replayed with a fixed clock: the Authority's services go down on 3 May 2021; urgent
 * procedures are registered with provisional references; bidders who cannot pay are admitted with
 * reserve; services are restored on 7 May; procedures are regularised, reserves lifted by receipts; the
 * regional section sees what is overdue.
 */
describe(`May 2021, replayed (${engineName()})`, () => {
  let h: Harness;
  let staff: Awaited<ReturnType<Harness['factories']['user']>>;
  let bari: Awaited<ReturnType<Harness['factories']['rup']>>;
  let lecce: Awaited<ReturnType<Harness['factories']['rup']>>;
  let pugliaStaff: Awaited<ReturnType<Harness['factories']['user']>>;
  const at = (iso: string) => h.clock.set(iso);
  const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: token ? bearer(token) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  beforeAll(async () => {
    h = await createHarness({ now: '2021-04-20T08:00:00Z' });
    staff = await h.factories.user('authority_staff');
    pugliaStaff = await h.factories.user('regional_staff', { regionalSectionCode: 'PUG' });
    bari = await h.factories.rup({ place: '016072006', section: 'PUG' });
    lecce = await h.factories.rup({ place: '016075035', section: 'PUG' });
  });
  afterAll(() => h.close());

  it('replays the outage end to end', async () => {
    // Before the outage: a published lot whose bids close on 6 May, and its bidder (paid later).
    const { lots } = await h.factories.tender(bari.actor, { lots: [sampleLot({ amount: '480000.00' })] });
    const published = lots[0]!;
    at('2021-04-22T08:00:00Z');
    expect(
      (
        await call('POST', `/api/v1/lots/${published.cig}/perfection`, bari.token, {
          publicationDate: '2021-04-21',
          bidDeadline: '2021-05-06T12:00:00+02:00',
        })
      ).statusCode,
    ).toBe(200);
    const vat = withNumericCheckDigit('0555555072');
    const operatorId = h.deps.ids.uuid();
    await h.deps.store.registry.insertEconomicOperator({
      id: operatorId,
      fiscalCode: vat,
      vatNumber: vat,
      name: 'Impresa Pugliese S.r.l.',
      pec: null,
      createdAt: h.clock.now(),
    });
    const bidder = await h.factories.user('economic_operator', { economicOperatorId: operatorId });
    const { noticeNumber, amount } = await openPosition(h, published.cig, bidder.token);
    expect(amount).toBe('35.00'); // 2019-2022 table: 300,000-500,000 EUR -> 35 EUR per bidder

    // 3 May 2021: power failure at the Authority; staff record the incident.
    at('2021-05-03T09:30:00+02:00');
    const opened = await call('POST', '/api/v1/incidents', staff.token, {
      title: "Interruzione dei servizi on line dell'Autorità",
      impact: 'major_outage',
      services: ['cig_issuance', 'smart_cig', 'contribution_payments', 'publication_data'],
      startedAt: '2021-05-03T08:00:00+02:00',
      message:
        "Guasto tecnico al sistema di alimentazione elettrica della sede dell'Autorità: i servizi on line non sono disponibili.",
    });
    expect(opened.statusCode).toBe(201);
    const incident = opened.json().code as string;
    expect(incident).toBe('INC-2021-0001');
    const status = await h.app.inject('/status');
    expect(status.statusCode).toBe(503);
    expect(status.headers['content-type']).toMatch(/problem\+json/);
    expect(
      (await h.app.inject('/api/v1/status'))
        .json()
        .services.find((s: { code: string }) => s.code === 'cig_issuance').state,
    ).toBe('major_outage');
    expect((await h.app.inject('/stato')).body).toContain('Interruzione dei servizi on line');

    // A CIG cannot be obtained: the RUP of Bari registers an urgent procedure.
    at('2021-05-04T10:00:00+02:00');
    const registered = await call('POST', '/api/v1/provisional-procedures', bari.token, {
      object: 'Fornitura urgente di dispositivi di protezione individuale',
      procedureType: '3',
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
        {
          ...sampleLot({ object: 'Guanti', amount: '90000.00', cpv: '33140000' }),
          publicationDate: '2021-05-05',
          bidDeadline: '2021-05-20T12:00:00+02:00',
        },
      ],
    });
    expect(registered.statusCode).toBe(201);
    const provisional = registered.json();
    expect(provisional.reference).toMatch(/^PROV-2021-\d{6}$/);
    expect(provisional.wording).toContain('CIG in fase di acquisizione');
    expect(provisional).toMatchObject({ state: 'pending', incident, regularisationDeadline: '2021-06-03' });
    // Anyone can verify the provisional reference.
    const verified = await call('GET', `/api/v1/provisional-procedures/${provisional.reference}`);
    expect(verified.json()).toMatchObject({
      reference: provisional.reference,
      state: 'pending',
      lots: [{ cig: null }, { cig: null }],
    });
    // Lecce registers one too and will forget it.
    const forgotten = (
      await call('POST', '/api/v1/provisional-procedures', lecce.token, {
        object: 'Lavori di somma urgenza',
        procedureType: '5',
        sector: 'ordinary',
        contractObject: 'works',
        urgencyReason: '2',
        motivation: 'Somma urgenza per la messa in sicurezza di un edificio scolastico',
        lots: [
          {
            ...sampleLot({ place: '016075035' }),
            invitationDate: '2021-05-04',
            bidDeadline: '2021-05-10T12:00:00+02:00',
          },
        ],
      })
    ).json();
    // Some authorities managed to obtain a CIG anyway: it stays valid and is marked with the incident.
    const obtained = await h.factories.tender(lecce.actor, { lots: [sampleLot({ place: '016075035' })] });
    const lookup = (await call('GET', `/api/v1/cigs/${obtained.lots[0]!.cig}`)).json();
    expect(lookup).toMatchObject({ state: 'issued', issuedDuringIncidents: [incident] });
    const before = (await call('GET', `/api/v1/cigs/${published.cig}`)).json();
    expect(before.issuedDuringIncidents).toEqual([]);
    // The declared outage does not stop what works: regularisation, like issuance, is possible as soon
    // as CIGs can be issued (test/continuity/procedure-rules.test.ts). Bari waits for the restoration.

    // 5 May: the bidder cannot pay before the 6 May deadline; the RUP admits it with reserve.
    at('2021-05-05T16:00:00+02:00');
    const reserve = await call('POST', `/api/v1/lots/${published.cig}/reserves`, bari.token, {
      fiscalCode: vat,
      bidderName: 'Impresa Pugliese S.r.l.',
      note: 'Pagamento del contributo impossibile per il disservizio',
    });
    expect(reserve.statusCode).toBe(201);
    expect(reserve.json()).toMatchObject({ state: 'open', incident });
    // The lot's bid deadline falls inside the outage: the RUP sees it, to extend the deadline.
    const affected = (await call('GET', '/api/v1/outage-affected-lots', bari.token)).json();
    expect(affected.items.find((a: { cig: string }) => a.cig === published.cig).reasons[0]).toMatchObject({
      kind: 'bid_deadline_in_outage',
      incident,
    });

    // 7 May: restoration.
    at('2021-05-07T11:00:00+02:00');
    const resolved = await call('POST', `/api/v1/incidents/${incident}/updates`, staff.token, {
      state: 'resolved',
      message: 'I servizi on line sono stati ripristinati.',
      resolvedAt: '2021-05-07T10:30:00+02:00',
    });
    expect(resolved.json()).toMatchObject({ state: 'resolved', resolvedAt: '2021-05-07T08:30:00.000Z' });
    expect((await h.app.inject('/status')).statusCode).toBe(200);
    const history = (await h.app.inject('/api/v1/status/history'))
      .json()
      .services.find((s: { code: string }) => s.code === 'cig_issuance').history;
    expect(history.find((d: { date: string }) => d.date === '2021-05-04')).toMatchObject({
      state: 'major_outage',
      incidents: [incident],
    });
    expect(history.at(-1)).toMatchObject({ date: '2021-05-07', state: 'major_outage' });

    // The reserve's deadline now counts from the restoration.
    expect(
      (await call('GET', `/api/v1/lots/${published.cig}/reserves`, bari.token)).json().items[0],
    ).toMatchObject({ state: 'open', deadline: '2021-05-17' });

    // The bidder pays after restoration: the receipt lifts the reserve.
    const receipt = sendRtV2Request(caller, {
      receiptId: 'RT-2021-05-07-0001',
      noticeNumber,
      fiscalCode: testCreditor.fiscalCode,
      outcome: 'OK',
      creditorReferenceId: noticeNumber.slice(1),
      paymentAmount: amount,
      description: 'Contributo ANAC',
      companyName: testCreditor.name,
      debtor: { type: 'G', fiscalCode: vat, fullName: 'Impresa Pugliese S.r.l.' },
      transferList: [
        {
          idTransfer: 1,
          amount,
          fiscalCodePA: testCreditor.fiscalCode,
          iban: testCreditor.iban,
          remittanceInformation: 'Contributo',
          transferCategory: '9/0301109AP',
        },
      ],
      idPSP: 'PSP01',
      pspCompanyName: 'PSP',
      idChannel: 'PSP01_01',
      channelDescription: 'app',
      paymentDateTime: '2021-05-07T12:00:00',
    });
    expect(parseResponse((await soap(h, receipt)).body).outcome).toBe('OK');
    expect(
      (await call('GET', `/api/v1/lots/${published.cig}/reserves`, bari.token)).json().items[0],
    ).toMatchObject({
      state: 'lifted',
      liftedByReceipt: 'RT-2021-05-07-0001',
    });

    // Regularisation: the RUP binds real CIGs; the original publication date (5 May) is accepted.
    const regularised = await call(
      'POST',
      `/api/v1/provisional-procedures/${provisional.reference}/regularisation`,
      bari.token,
    );
    expect(regularised.statusCode).toBe(200);
    const record = regularised.json();
    expect(record.lots).toHaveLength(2);
    for (const lot of record.lots)
      expect(lot).toMatchObject({ publicationDate: '2021-05-05', publicationInsideOutage: true });
    expect(record.text).toContain(provisional.reference);
    expect(record.text).toContain(incident);
    // Retrying is safe: same CIGs, nothing issued twice.
    const again = (
      await call('POST', `/api/v1/provisional-procedures/${provisional.reference}/regularisation`, bari.token)
    ).json();
    expect(again.lots.map((l: { cig: string }) => l.cig)).toEqual(
      record.lots.map((l: { cig: string }) => l.cig),
    );
    const tender = (await call('GET', `/api/v1/tenders/${record.tenderNumber}`, bari.token)).json();
    expect(tender.lots).toHaveLength(2);
    expect(tender.lots[0]).toMatchObject({
      state: 'perfected',
      publicationDate: '2021-05-05',
      perfectionDeadline: '2021-10-04',
    });
    const publicView = (await call('GET', `/api/v1/provisional-procedures/${provisional.reference}`)).json();
    expect(publicView).toMatchObject({
      state: 'regularised',
      tenderNumber: record.tenderNumber,
      lots: record.lots.map((l: { cig: string }) => ({ cig: l.cig })),
    });

    // Lecce is reminded as the deadline approaches (once a day, however often the job runs).
    at('2021-05-30T09:00:00+02:00');
    const links = { linkBase: 'https://gara.example.it' };
    expect(await remindRegularisations(h.deps, links)).toEqual({ reminded: 1 });
    expect(await remindRegularisations(h.deps, links)).toEqual({ reminded: 0 });
    // ...and by e-mail, once: the message is queued with the reminder, in the same transaction.
    const mails = (await h.deps.store.notices.listOutbox({ kind: 'reminder', limit: 10, offset: 0 })).filter(
      (m) => m.address === lecce.user.email,
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      channel: 'email',
      state: 'queued',
      subject: `Promemoria: regolarizzazione della procedura ${forgotten.reference}`,
    });
    expect(mails[0]!.body).toContain('entro il 03/06/2021');
    expect(mails[0]!.body).toContain(
      `https://gara.example.it/area-personale/procedure-urgenti/${forgotten.reference}`,
    );
    const reminders = (await call('GET', '/api/v1/reminders', lecce.token)).json();
    expect(reminders.items[0]).toMatchObject({ subjectId: forgotten.reference, day: '2021-05-30' });
    expect(reminders.items[0].message).toContain('entro il 03/06/2021');
    // June: Lecce never regularised; the regional section sees it overdue.
    at('2021-06-10T09:00:00+02:00');
    const overdue = (
      await call('GET', '/api/v1/regional-sections/PUG/overdue-regularisations', pugliaStaff.token)
    ).json();
    expect(overdue.items.map((p: { reference: string }) => p.reference)).toEqual([forgotten.reference]);
    expect(overdue.items[0].daysLeft).toBeLessThan(0);
    expect(
      (await call('GET', '/api/v1/regional-sections/LAZ/overdue-regularisations', pugliaStaff.token))
        .statusCode,
    ).toBe(404); // issue 11: another section's resource is not found (was 403)
    // The job then regularises it on the RUP's behalf (the outage is over).
    expect((await regularisePending(h.deps)).regularised).toEqual([forgotten.reference]);
    // A negotiated procedure (type 5): regularised with its invitation date, as on perfezionamento.
    const lecceLot = (await call('GET', `/api/v1/provisional-procedures/${forgotten.reference}`)).json()
      .lots[0];
    expect((await call('GET', `/api/v1/lots/${lecceLot.cig}`, lecce.token)).json()).toMatchObject({
      invitationDate: '2021-05-04',
      publicationDate: null,
    });
    expect(await expireReserves(h.deps)).toEqual({ expired: 0 });
  });
});
