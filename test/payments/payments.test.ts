import { validateCig } from '../../src/domain/cig/cig.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNoticeNumber } from '../../src/domain/payments/notice-number.js';
import {
  getPaymentV2Request,
  parseResponse,
  sendRtV2Request,
  verifyRequest,
  type Receipt,
} from '../../src/adapters/pagopa/pa-for-node-soap.js';
import { createHarness, bearer, testCreditor, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';
import { bidderAndLot, caller, openPosition, soap } from './support.js';

function receiptFor(nav: string, amount: string, payerCf: string, receiptId = `R${nav}`): Receipt {
  return {
    receiptId,
    noticeNumber: nav,
    fiscalCode: testCreditor.fiscalCode,
    outcome: 'OK',
    creditorReferenceId: nav.slice(1),
    paymentAmount: amount,
    description: 'Contributo ANAC',
    companyName: testCreditor.name,
    debtor: { type: 'G', fiscalCode: payerCf, fullName: 'Impresa' },
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
    idPSP: 'PSPTEST01',
    pspCompanyName: 'PSP di test',
    idChannel: 'PSPTEST01_01',
    channelDescription: 'app',
    paymentMethod: 'creditCard',
    paymentDateTime: '2026-03-02T11:00:00',
  };
}

describe(`contributions and pagoPA, the creditor side (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
  });
  afterAll(() => h.close());

  it('the tender shows what the authority and each bidder owe (2023+ table)', async () => {
    const rup = await h.factories.rup();
    const { tender } = await h.factories.tender(rup.actor, {
      lots: [
        { object: 'A', amount: '480000.00', cpv: '50700000', place: '016072006' },
        { object: 'B', amount: '90000.00', cpv: '50700000', place: '016072006' },
      ],
    });
    const view = (
      await h.app.inject({ url: `/api/v1/tenders/${tender.tenderNumber}`, headers: bearer(rup.token) })
    ).json();
    expect(view.contributions.authority).toMatchObject({
      amount: '410.00',
      onAmount: '570000.00',
      exempt: false,
    });
    expect(view.contributions.bidderPerLot.map((l: { amount: string }) => l.amount)).toEqual([
      '33.00',
      '0.00',
    ]);
    const lookup = (await h.app.inject({ url: `/api/v1/cigs/${view.lots[0].cig}` })).json();
    expect(lookup.bidderContribution).toEqual({ amount: '33.00', exempt: false });
    // The public lookup shows the contracting authority's contribution too (on the tender's total).
    expect(lookup.authorityContribution).toEqual({ amount: '410.00', exempt: false, onAmount: '570000.00' });
    const checkPage = (await h.app.inject({ url: `/cig?codice=${view.lots[0].cig}` })).body;
    expect(checkPage).toContain('Contributo della stazione appaltante');
    expect(checkPage).toContain('€ 410,00');
    expect(checkPage).toContain('€ 33,00');
  });

  it("the public lookup's authority contribution is on the tender's lots not cancelled", async () => {
    const rup = await h.factories.rup();
    const { tender } = await h.factories.tender(rup.actor, {
      lots: [
        { object: 'A', amount: '480000.00', cpv: '50700000', place: '016072006' },
        { object: 'B', amount: '90000.00', cpv: '50700000', place: '016072006' },
        { object: 'C', amount: '30000.00', cpv: '50700000', place: '016072006' },
      ],
    });
    const url = `/api/v1/tenders/${tender.tenderNumber}`;
    const cigs = (await h.app.inject({ url, headers: bearer(rup.token) }))
      .json()
      .lots.map((l: { cig: string }) => l.cig);
    const cancel = await h.app.inject({
      method: 'POST',
      url: `/api/v1/lots/${cigs[0]}/cancellation`,
      headers: bearer(rup.token),
      payload: { reason: 1 },
    });
    expect(cancel.statusCode).toBe(200);
    // The same figures as the tender's own view, which sums its lots itself.
    const authority = (await h.app.inject({ url, headers: bearer(rup.token) })).json().contributions
      .authority;
    expect(authority.onAmount).toBe('120000.00');
    const lookup = (await h.app.inject({ url: `/api/v1/cigs/${cigs[1]}` })).json();
    expect(lookup.authorityContribution).toEqual({
      amount: authority.amount,
      exempt: authority.exempt,
      onAmount: '120000.00',
    });
    // The cancelled lot itself stays visible, with the same total.
    const cancelled = (await h.app.inject({ url: `/api/v1/cigs/${cigs[0]}` })).json();
    expect(cancelled).toMatchObject({ state: 'cancelled', authorityContribution: { onAmount: '120000.00' } });
  });

  it('the CIG check page gives a valid CIG as its example', async () => {
    const body = (await h.app.inject({ url: '/cig' })).body;
    const example = /per esempio ([A-Z0-9]{10})/.exec(body)?.[1];
    expect(example).toBeDefined();
    expect(validateCig(example!)).toMatchObject({ valid: true });
  });

  it('a bidder opens a position: valid NAV, amount, due date = bid deadline; asking again returns the same', async () => {
    const { lot, bidder } = await bidderAndLot(h, { bidDeadline: '2026-04-15T10:00:00Z' });
    const position = await openPosition(h, lot.cig, bidder.token);
    expect(checkNoticeNumber(position.noticeNumber)).toMatchObject({ valid: true, segregationCode: '01' });
    expect(position).toMatchObject({ amount: '33.00', dueDate: '2026-04-15', state: 'open' });
    const again = await h.app.inject({
      method: 'POST',
      url: `/api/v1/lots/${lot.cig}/payment-positions`,
      headers: bearer(bidder.token),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().noticeNumber).toBe(position.noticeNumber);
    const pdf = await h.app.inject({
      url: `/api/v1/payment-positions/${position.noticeNumber}/notice.pdf`,
      headers: bearer(bidder.token),
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('nothing is owed under 150,000 EUR per lot: the position is refused as not due', async () => {
    const { lot, bidder, rup, bidderFiscalCode } = await bidderAndLot(h, { amount: '90000.00' });
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/lots/${lot.cig}/payment-positions`,
      headers: bearer(bidder.token),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().reason).toBe('contribution_not_due');
    const verified = await h.app.inject({
      url: `/api/v1/lots/${lot.cig}/contributions/${bidderFiscalCode}`,
      headers: bearer(rup.token),
    });
    expect(verified.json()).toMatchObject({ status: 'not_due', amount: '0.00' });
  });

  it('the node verifies, gets the payment data and sends the receipt; the RUP then sees it paid', async () => {
    const { lot, bidder, rup, bidderFiscalCode } = await bidderAndLot(h);
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const qr = { fiscalCode: testCreditor.fiscalCode, noticeNumber };

    const verify = parseResponse((await soap(h, verifyRequest(caller, qr), 'paVerifyPaymentNotice')).body);
    expect(verify.outcome).toBe('OK');
    expect(JSON.stringify(verify.fields)).toContain('33.00');

    const data = parseResponse(
      (await soap(h, getPaymentV2Request(caller, qr, '33.00'), 'paGetPaymentV2')).body,
    );
    expect(data.outcome).toBe('OK');
    expect(JSON.stringify(data.fields)).toContain(noticeNumber.slice(1));

    const notPaid = (
      await h.app.inject({
        url: `/api/v1/lots/${lot.cig}/contributions/${bidderFiscalCode}`,
        headers: bearer(rup.token),
      })
    ).json();
    expect(notPaid).toMatchObject({ status: 'not_paid', amount: '33.00', noticeNumber });

    const sent = parseResponse(
      (
        await soap(
          h,
          sendRtV2Request(caller, receiptFor(noticeNumber, '33.00', bidderFiscalCode)),
          'paSendRTV2',
        )
      ).body,
    );
    expect(sent.outcome).toBe('OK');

    const paid = (
      await h.app.inject({
        url: `/api/v1/lots/${lot.cig}/contributions/${bidderFiscalCode}`,
        headers: bearer(rup.token),
      })
    ).json();
    expect(paid).toMatchObject({
      status: 'paid',
      amount: '33.00',
      receipt: { receiptId: `R${noticeNumber}`, amount: '33.00', psp: { id: 'PSPTEST01' } },
    });
    const all = (
      await h.app.inject({ url: `/api/v1/lots/${lot.cig}/contributions`, headers: bearer(rup.token) })
    ).json();
    expect(all.items).toHaveLength(1);
    const receiptPdf = await h.app.inject({
      url: `/api/v1/payment-positions/${noticeNumber}/receipt.pdf`,
      headers: bearer(bidder.token),
    });
    expect(receiptPdf.statusCode).toBe(200);

    // After payment the notice is no longer payable.
    const again = parseResponse((await soap(h, verifyRequest(caller, qr))).body);
    expect(again.fault?.faultCode).toBe('PAA_PAGAMENTO_DUPLICATO');
  });

  it('a repeated or concurrent paSendRT is acknowledged and counted once', async () => {
    const { lot, bidder, bidderFiscalCode } = await bidderAndLot(h);
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const body = sendRtV2Request(caller, receiptFor(noticeNumber, '33.00', bidderFiscalCode));
    const responses = await Promise.all(Array.from({ length: 20 }, () => soap(h, body)));
    expect(responses.map((r) => parseResponse(r.body).outcome)).toEqual(Array(20).fill('OK'));
    const rows = await h.db.db
      .selectFrom('receipts')
      .select(['status'])
      .where('notice_number', '=', noticeNumber)
      .execute();
    expect(rows.filter((r) => r.status === 'applied')).toHaveLength(1);
    expect(rows.filter((r) => r.status === 'repeated')).toHaveLength(19);
  });

  it('faults: unknown, wrong domain / broker / station, wrong amount, XSD syntax; unknown receipts are kept for review', async () => {
    const unknownNav = '301202699999999911';
    const cases: [string, string][] = [
      [
        verifyRequest(caller, { fiscalCode: testCreditor.fiscalCode, noticeNumber: '301202500000122805' }),
        'PAA_PAGAMENTO_SCONOSCIUTO',
      ],
      [
        verifyRequest(
          { ...caller, idPA: '12345678903' },
          { fiscalCode: testCreditor.fiscalCode, noticeNumber: '301202500000122805' },
        ),
        'PAA_ID_DOMINIO_ERRATO',
      ],
      [
        verifyRequest(
          { ...caller, idBrokerPA: '12345678903' },
          { fiscalCode: testCreditor.fiscalCode, noticeNumber: '301202500000122805' },
        ),
        'PAA_ID_INTERMEDIARIO_ERRATO',
      ],
      [
        verifyRequest(
          { ...caller, idStation: 'ALTRA_STAZIONE' },
          { fiscalCode: testCreditor.fiscalCode, noticeNumber: '301202500000122805' },
        ),
        'PAA_STAZIONE_INT_ERRATA',
      ],
      [
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x/></soapenv:Body></soapenv:Envelope>',
        'PAA_SINTASSI_EXTRAXSD',
      ],
      ['not xml at all', 'PAA_SINTASSI_EXTRAXSD'],
    ];
    for (const [body, code] of cases) {
      const res = await soap(h, body);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/xml/);
      expect(parseResponse(res.body).fault?.faultCode, body.slice(0, 80)).toBe(code);
    }
    const { lot, bidder, bidderFiscalCode } = await bidderAndLot(h);
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const wrongAmount = parseResponse(
      (
        await soap(
          h,
          getPaymentV2Request(caller, { fiscalCode: testCreditor.fiscalCode, noticeNumber }, '30.00'),
        )
      ).body,
    );
    expect(wrongAmount.fault?.faultCode).toBe('PAA_SEMANTICA');

    const unknown = parseResponse(
      (await soap(h, sendRtV2Request(caller, receiptFor(unknownNav, '33.00', bidderFiscalCode)))).body,
    );
    expect(unknown.fault?.faultCode).toBe('PAA_PAGAMENTO_SCONOSCIUTO');
    const kept = await h.db.db
      .selectFrom('receipts')
      .selectAll()
      .where('notice_number', '=', unknownNav)
      .execute();
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ status: 'review', fault_code: 'PAA_PAGAMENTO_SCONOSCIUTO' });
    expect(kept[0]!.raw_xml).toContain(unknownNav);
  });

  it('an expired notice answers PAA_PAGAMENTO_SCADUTO; one being paid PAA_PAGAMENTO_IN_CORSO', async () => {
    const { lot, bidder } = await bidderAndLot(h, { bidDeadline: '2026-03-10T10:00:00Z' });
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const qr = { fiscalCode: testCreditor.fiscalCode, noticeNumber };
    expect(parseResponse((await soap(h, getPaymentV2Request(caller, qr, '33.00'))).body).outcome).toBe('OK');
    expect(parseResponse((await soap(h, verifyRequest(caller, qr))).body).fault?.faultCode).toBe(
      'PAA_PAGAMENTO_IN_CORSO',
    );
    h.clock.set('2026-03-11T09:00:00Z');
    try {
      expect(parseResponse((await soap(h, verifyRequest(caller, qr))).body).fault?.faultCode).toBe(
        'PAA_PAGAMENTO_SCADUTO',
      );
    } finally {
      h.clock.set('2026-03-02T09:00:00Z');
    }
  });

  it('only the lot RUP, the bidder itself and staff may verify', async () => {
    const { lot, bidder, bidderFiscalCode } = await bidderAndLot(h);
    const other = await bidderAndLot(h);
    const otherRup = await h.factories.rup({ place: '012058091', section: 'LAZ' });
    const url = `/api/v1/lots/${lot.cig}/contributions/${bidderFiscalCode}`;
    expect((await h.app.inject({ url, headers: bearer(bidder.token) })).statusCode).toBe(200);
    // issue 11: another bidder's verification is not found (was 403)
    expect((await h.app.inject({ url, headers: bearer(other.bidder.token) })).statusCode).toBe(404);
    expect((await h.app.inject({ url, headers: bearer(otherRup.token) })).statusCode).toBe(404);
    expect((await h.app.inject({ url })).statusCode).toBe(401);
    const staff = await h.factories.user('authority_staff');
    expect((await h.app.inject({ url, headers: bearer(staff.token) })).statusCode).toBe(200);
    expect(
      (await h.app.inject({ url: `/api/v1/lots/${lot.cig}/contributions`, headers: bearer(bidder.token) }))
        .statusCode,
    ).toBe(403);
  });
});

describe(`a withdrawn notice (${engineName()})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-03-02T09:00:00Z' });
  });
  afterAll(() => h.close());

  it('the node gets PAA_PAGAMENTO_ANNULLATO and a late receipt is kept for review', async () => {
    const staff = await h.factories.user('authority_staff');
    const { lot, bidder, bidderFiscalCode } = await bidderAndLot(h);
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const url = `/api/v1/payment-positions/${noticeNumber}/cancellation`;
    expect(
      (await h.app.inject({ method: 'POST', url, headers: bearer(bidder.token), payload: { note: 'x' } }))
        .statusCode,
    ).toBe(403);
    const withdrawn = await h.app.inject({
      method: 'POST',
      url,
      headers: bearer(staff.token),
      payload: { note: 'Avviso emesso per errore' },
    });
    expect(withdrawn.json()).toMatchObject({ state: 'cancelled' });
    expect(
      (await h.app.inject({ method: 'POST', url, headers: bearer(staff.token), payload: { note: 'again' } }))
        .statusCode,
    ).toBe(409);
    const qr = { fiscalCode: testCreditor.fiscalCode, noticeNumber };
    expect(parseResponse((await soap(h, verifyRequest(caller, qr))).body).fault?.faultCode).toBe(
      'PAA_PAGAMENTO_ANNULLATO',
    );
    const late = parseResponse(
      (await soap(h, sendRtV2Request(caller, receiptFor(noticeNumber, '33.00', bidderFiscalCode)))).body,
    );
    expect(late.fault?.faultCode).toBe('PAA_PAGAMENTO_ANNULLATO');
    const kept = await h.db.db
      .selectFrom('receipts')
      .selectAll()
      .where('notice_number', '=', noticeNumber)
      .execute();
    expect(kept).toMatchObject([{ status: 'review', fault_code: 'PAA_PAGAMENTO_ANNULLATO' }]);
    const review = (
      await h.app.inject({ url: '/api/v1/receipts?status=review', headers: bearer(staff.token) })
    ).json();
    expect(review.items.map((r: { noticeNumber: string }) => r.noticeNumber)).toContain(noticeNumber);
  });
});
