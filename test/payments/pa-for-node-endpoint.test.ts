/**
 * /pagopa/paForNode over HTTP: only the pagoPA node may call (issue 9, point 3), requests are judged by
 * paForNode.wsdl/xsd (issue 10, point 1), and a receipt for a notice never activated (Stand In) is applied.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getPaymentRequest,
  parseResponse,
  sendRtV2Request,
  verifyRequest,
  type Receipt,
} from '../../src/adapters/pagopa/pa-for-node-soap.js';
import type { NodeAuthPolicy } from '../../src/http/pagopa-node-auth.js';
import { createHarness, testCreditor, testNodeKey, type Harness } from '../support/harness.js';
import { bidderAndLot, caller, openPosition, soap } from './support.js';

function receiptFor(nav: string, amount: string, payerCf: string, extra: Partial<Receipt> = {}): Receipt {
  return {
    receiptId: `R${nav}`,
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
    idPSP: 'PSPINVENTATO',
    pspCompanyName: 'PSP inventato',
    idChannel: 'PSPINVENTATO_01',
    channelDescription: 'app',
    paymentDateTime: '2026-03-02T11:00:00',
    ...extra,
  };
}

const positionState = async (h: Harness, nav: string) =>
  (await h.db.db
    .selectFrom('payment_positions')
    .select(['state', 'activated_at'])
    .where('notice_number', '=', nav)
    .executeTakeFirstOrThrow()) as { state: string; activated_at: Date | null };

const receiptRows = (h: Harness, nav: string) =>
  h.db.db.selectFrom('receipts').selectAll().where('notice_number', '=', nav).execute();

describe('/pagopa/paForNode answers only the pagoPA node', () => {
  let h: Harness;
  const logLines: string[] = [];
  const policy: NodeAuthPolicy = {
    subscriptionKeys: [testNodeKey, 'second-key-during-rotation-01'],
    allowedAddresses: ['10.20.0.0/16', '127.0.0.1'],
    clientVerifyHeader: undefined,
  };
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    h = await createHarness({ pagopaNode: policy, logger: pino({ level: 'warn' }, sink) });
  });
  afterAll(() => h.close());

  it('an anonymous paSendRTV2 from a made-up PSP, without paGetPayment, is refused: nothing paid, nothing stored, logged', async () => {
    const { lot, bidder, bidderFiscalCode } = await bidderAndLot(h);
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const body = sendRtV2Request(caller, receiptFor(noticeNumber, '33.00', bidderFiscalCode));
    const anonymous = await h.app.inject({
      method: 'POST',
      url: '/pagopa/paForNode',
      headers: { 'content-type': 'text/xml', soapaction: 'paSendRTV2' },
      payload: body,
      remoteAddress: '203.0.113.9',
    });
    expect(anonymous.statusCode).toBe(200);
    const answer = parseResponse(anonymous.body);
    expect(answer.element).toBe('paSendRTV2Response');
    expect(answer.fault?.faultCode).toBe('PAA_SYSTEM_ERROR');
    expect(await positionState(h, noticeNumber)).toMatchObject({ state: 'open' });
    expect(await receiptRows(h, noticeNumber)).toHaveLength(0);
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.remoteAddress === '203.0.113.9');
    expect(line).toMatchObject({ level: 40, msg: 'paForNode call refused: not the pagoPA node' });
  });

  it('wrong or missing key, or an address outside the allow-list, is refused; the node with either key is answered', async () => {
    const { lot, bidder } = await bidderAndLot(h);
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const body = verifyRequest(caller, { fiscalCode: testCreditor.fiscalCode, noticeNumber });
    const call = async (headers: Record<string, string>, remoteAddress = '10.20.3.4') =>
      parseResponse(
        (
          await h.app.inject({
            method: 'POST',
            url: '/pagopa/paForNode',
            headers: { 'content-type': 'text/xml', soapaction: 'paVerifyPaymentNotice', ...headers },
            payload: body,
            remoteAddress,
          })
        ).body,
      );
    expect((await call({})).fault?.faultCode).toBe('PAA_SYSTEM_ERROR');
    expect((await call({ 'ocp-apim-subscription-key': `${testNodeKey}x` })).fault?.faultCode).toBe(
      'PAA_SYSTEM_ERROR',
    );
    const right = { 'ocp-apim-subscription-key': testNodeKey };
    expect((await call(right, '10.21.0.1')).fault?.faultCode).toBe('PAA_SYSTEM_ERROR');
    expect((await call(right, '::ffff:10.20.9.9')).outcome).toBe('OK');
    expect((await call(right)).outcome).toBe('OK');
    expect((await call({ 'ocp-apim-subscription-key': 'second-key-during-rotation-01' })).outcome).toBe('OK');
  });

  it('with no credential configured every call is refused (fail closed)', async () => {
    const closed = await createHarness({ pagopaNode: { subscriptionKeys: [], allowedAddresses: [] } });
    try {
      const res = await soap(
        closed,
        verifyRequest(caller, { fiscalCode: testCreditor.fiscalCode, noticeNumber: '301202500000122805' }),
      );
      expect(parseResponse(res.body).fault?.faultCode).toBe('PAA_SYSTEM_ERROR');
    } finally {
      await closed.close();
    }
  });

  it('client certificate verified by the TLS proxy: the header is believed only from the proxy address', async () => {
    const proxied = await createHarness({
      pagopaNode: {
        subscriptionKeys: [],
        allowedAddresses: ['192.0.2.10'],
        clientVerifyHeader: 'x-ssl-client-verify',
      },
    });
    try {
      const body = verifyRequest(caller, {
        fiscalCode: testCreditor.fiscalCode,
        noticeNumber: '301202500000122805',
      });
      const call = async (headers: Record<string, string>, remoteAddress: string) =>
        parseResponse(
          (
            await proxied.app.inject({
              method: 'POST',
              url: '/pagopa/paForNode',
              headers: { 'content-type': 'text/xml', ...headers },
              payload: body,
              remoteAddress,
            })
          ).body,
        ).fault?.faultCode;
      // answered past authentication: the notice is unknown
      expect(await call({ 'x-ssl-client-verify': 'SUCCESS' }, '192.0.2.10')).toBe(
        'PAA_PAGAMENTO_SCONOSCIUTO',
      );
      expect(await call({ 'x-ssl-client-verify': 'FAILED:unknown CA' }, '192.0.2.10')).toBe(
        'PAA_SYSTEM_ERROR',
      );
      expect(await call({ 'x-ssl-client-verify': 'SUCCESS' }, '198.51.100.7')).toBe('PAA_SYSTEM_ERROR');
    } finally {
      await proxied.close();
    }
  });
});

describe('/pagopa/paForNode judges requests by paForNode.wsdl/xsd', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('paGetPayment and paGetPaymentV2 without <amount> are answered with the position amount', async () => {
    for (const version of ['v1', 'v2'] as const) {
      const { lot, bidder } = await bidderAndLot(h);
      const { noticeNumber, amount } = await openPosition(h, lot.cig, bidder.token);
      const body = getPaymentRequest(
        version,
        caller,
        { fiscalCode: testCreditor.fiscalCode, noticeNumber },
        undefined,
      );
      expect(body).not.toContain('<amount>');
      const answer = parseResponse((await soap(h, body)).body);
      expect(answer.outcome, JSON.stringify(answer.fault)).toBe('OK');
      expect(JSON.stringify(answer.fields)).toContain(`"paymentAmount":"${amount}"`);
      expect((await positionState(h, noticeNumber)).activated_at).not.toBeNull();
    }
  });

  it('an operation element in another namespace is refused with the syntax fault, and not processed', async () => {
    const { lot, bidder } = await bidderAndLot(h);
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const body = getPaymentRequest(
      'v2',
      caller,
      { fiscalCode: testCreditor.fiscalCode, noticeNumber },
      '33.00',
    ).replace('xmlns:pafn="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"', 'xmlns:pafn="urn:wrong"');
    const answer = parseResponse((await soap(h, body, 'paGetPaymentV2')).body);
    expect(answer.element).toBe('paGetPaymentV2Response');
    expect(answer.fault?.faultCode).toBe('PAA_SINTASSI_EXTRAXSD');
    expect(answer.fault?.description).toMatch(/urn:wrong/);
    expect((await positionState(h, noticeNumber)).activated_at).toBeNull();
  });

  it('a SOAPAction naming another operation, and a SOAP 1.2 envelope, are refused with the syntax fault', async () => {
    const body = verifyRequest(caller, {
      fiscalCode: testCreditor.fiscalCode,
      noticeNumber: '301202500000122805',
    });
    const mismatch = parseResponse((await soap(h, body, '"paSendRTV2"')).body);
    expect(mismatch.fault?.faultCode).toBe('PAA_SINTASSI_EXTRAXSD');
    expect(mismatch.fault?.description).toMatch(/SOAPAction/);
    const quoted = parseResponse((await soap(h, body, '"paVerifyPaymentNotice"')).body);
    expect(quoted.fault?.faultCode).toBe('PAA_PAGAMENTO_SCONOSCIUTO');
    const soap12 = body.replace(
      'http://schemas.xmlsoap.org/soap/envelope/',
      'http://www.w3.org/2003/05/soap-envelope',
    );
    const refused = parseResponse(
      (await soap(h, soap12, '', { 'content-type': 'application/soap+xml' })).body,
    );
    expect(refused.fault?.faultCode).toBe('PAA_SINTASSI_EXTRAXSD');
    expect(refused.fault?.description).toMatch(/SOAP 1\.2/);
  });

  it('a receipt for a notice never activated (Stand In) is applied, and the audit entry says so', async () => {
    const { lot, bidder, bidderFiscalCode } = await bidderAndLot(h);
    const { noticeNumber } = await openPosition(h, lot.cig, bidder.token);
    const body = sendRtV2Request(
      caller,
      receiptFor(noticeNumber, '33.00', bidderFiscalCode, { standIn: true }),
    );
    expect(parseResponse((await soap(h, body, 'paSendRTV2')).body).outcome).toBe('OK');
    expect(await positionState(h, noticeNumber)).toMatchObject({ state: 'paid', activated_at: null });
    const audit = await h.db.db
      .selectFrom('audit_log')
      .select('after')
      .where('action', '=', 'payment_position.paid')
      .where('entity_id', '=', noticeNumber)
      .executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ state: 'paid', activatedBefore: false, standIn: true });
  });
});
