import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SOAP_MESSAGE_CHARS,
  PA_FOR_NODE_NS,
  PaForNodeBuildError,
  faultResponse,
  getPaymentRequest,
  getPaymentResponse,
  getPaymentV2Request,
  parsePaForNodeRequest,
  parseResponse,
  sendRtRequest,
  sendRtResponse,
  sendRtV2Request,
  verifyRequest,
  verifyResponse,
  type Caller,
  type PaForNodeOperation,
  type PaForNodeRequest,
  type PaymentData,
  type Receipt,
} from './pa-for-node-soap.js';

const caller: Caller = { idPA: '97584460584', idBrokerPA: '97584460584', idStation: '97584460584_01' };
const qrCode = { fiscalCode: '97584460584', noticeNumber: '301202500000122805' };

const receiptV1: Receipt = {
  receiptId: 'c110729d258c4ab1b765fe902aae41d6',
  noticeNumber: '301202500000122805',
  fiscalCode: '97584460584',
  outcome: 'OK',
  creditorReferenceId: '01202500000122805',
  paymentAmount: '30.00',
  description: 'Contributo gara CIG B1FDB28AAF',
  companyName: 'Autorità Nazionale Anticorruzione',
  officeName: 'Ufficio contribuzioni',
  debtor: {
    type: 'G',
    fiscalCode: '01234567890',
    fullName: 'Rossi & Figli <srl>',
    email: 'amministrazione@rossi.example.it',
    streetName: 'Via Roma',
    civicNumber: '1',
    postalCode: '00100',
    city: 'Roma',
    stateProvinceRegion: 'RM',
    country: 'IT',
  },
  transferList: [
    {
      idTransfer: 1,
      amount: '20.00',
      fiscalCodePA: '97584460584',
      iban: 'IT60X0542811101000000123456',
      remittanceInformation: 'Contributo CIG B1FDB28AAF',
      transferCategory: '9/0101108TS/',
    },
    {
      idTransfer: 2,
      amount: '10.00',
      fiscalCodePA: '97584460584',
      iban: 'IT60X0542811101000000123456',
      remittanceInformation: 'Contributo CIG B1FDB28AAF (2)',
      transferCategory: '9/0101108TS/',
      metadata: [{ key: 'lot', value: '2' }],
    },
  ],
  idPSP: 'BCITITMM',
  pspFiscalCode: '00799960158',
  pspPartitaIVA: '00799960158',
  pspCompanyName: 'Intesa Sanpaolo',
  idChannel: '00799960158_01',
  channelDescription: 'app',
  payer: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
  paymentMethod: 'creditCard',
  fee: '1.50',
  paymentDateTime: '2026-03-02T10:15:30',
  applicationDate: '2026-03-02',
  transferDate: '2026-03-03',
  metadata: [{ key: 'channel', value: 'web' }],
  standIn: false,
};

const receiptV2: Receipt = {
  ...receiptV1,
  transferList: receiptV1.transferList.map((t) => ({ ...t, companyName: 'ANAC' })),
  paymentNote: 'note',
  primaryCiIncurredFee: '0.50',
  idBundle: 'bundle-1',
  idCiBundle: 'ci-bundle-1',
};

const minimalReceipt: Receipt = {
  receiptId: 'r1',
  noticeNumber: '301202500000122805',
  fiscalCode: '97584460584',
  outcome: 'OK',
  creditorReferenceId: '01202500000122805',
  paymentAmount: '30.00',
  description: 'Contributo',
  companyName: 'ANAC',
  debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
  transferList: [
    {
      idTransfer: 1,
      amount: '30.00',
      fiscalCodePA: '97584460584',
      iban: 'IT60X0542811101000000123456',
      remittanceInformation: 'Contributo',
      transferCategory: '9/0101108TS/',
    },
  ],
  idPSP: 'BCITITMM',
  pspCompanyName: 'PSP',
  idChannel: 'ch',
  channelDescription: 'app',
};

const paymentData: PaymentData = {
  creditorReferenceId: '01202500000122805',
  amount: '30.00',
  dueDate: '2026-04-30',
  description: 'Contributo gara CIG B1FDB28AAF',
  companyName: 'Autorità Nazionale Anticorruzione',
  officeName: 'Ufficio contribuzioni',
  fiscalCodePA: '97584460584',
  debtor: receiptV1.debtor,
  transfers: [
    {
      idTransfer: 1,
      amount: '30.00',
      fiscalCodePA: '97584460584',
      iban: 'IT60X0542811101000000123456',
      remittanceInformation: 'Contributo CIG B1FDB28AAF',
      transferCategory: '9/0101108TS/',
      companyName: 'ANAC',
    },
  ],
};

function parsed(xml: string): PaForNodeRequest {
  const result = parsePaForNodeRequest(xml);
  if (!result.ok) throw new Error(`expected ok, got: ${result.message}`);
  return result.request;
}

function refused(xml: string): { operation?: PaForNodeOperation; idPA?: string; message: string } {
  const result = parsePaForNodeRequest(xml);
  if (result.ok) throw new Error('expected ok:false');
  return result;
}

/** A SOAP envelope as the node writes it, around a hand-written body element. */
const soap = (body: string, prefix = 'pafn') =>
  `<soapenv:Envelope xmlns:${prefix}="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd" ` +
  `xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n  <soapenv:Header/>\n  <soapenv:Body>\n` +
  `${body}\n  </soapenv:Body>\n</soapenv:Envelope>`;

const verifyBody = (inner = '') => `
    <pafn:paVerifyPaymentNoticeReq>
      <idPA>77777777777</idPA>
      <idBrokerPA>77777777777</idBrokerPA>
      <idStation>77777777777_01</idStation>
      <qrCode>
        <fiscalCode>77777777777</fiscalCode>
        <noticeNumber>311111111112222222</noticeNumber>
      </qrCode>${inner}
    </pafn:paVerifyPaymentNoticeReq>`;

const getPaymentBody = (element: string, amount = '<amount>30.00</amount>') => `
    <pafn:${element}>
      <idPA>77777777777</idPA>
      <idBrokerPA>77777777777</idBrokerPA>
      <idStation>77777777777_01</idStation>
      <qrCode>
        <fiscalCode>77777777777</fiscalCode>
        <noticeNumber>311111111112222222</noticeNumber>
      </qrCode>
      ${amount}
    </pafn:${element}>`;

const transferXml = (id: number, amount: string, extra = '') => `
          <transfer>
            <idTransfer>${id}</idTransfer>
            <transferAmount>${amount}</transferAmount>
            <fiscalCodePA>77777777777</fiscalCodePA>${extra}
            <IBAN>IT0000000000000000000000000</IBAN>
            <remittanceInformation>remittanceInformation${id}</remittanceInformation>
            <transferCategory>9/0101108TS/</transferCategory>
          </transfer>`;

const subjectXml = (name: string) => `
        <${name}>
          <uniqueIdentifier>
            <entityUniqueIdentifierType>F</entityUniqueIdentifierType>
            <entityUniqueIdentifierValue>JHNDOE00A01F205N</entityUniqueIdentifierValue>
          </uniqueIdentifier>
          <fullName>John Doe</fullName>
          <streetName>street</streetName>
          <civicNumber>12</civicNumber>
          <postalCode>89020</postalCode>
          <city>city</city>
          <stateProvinceRegion>MI</stateProvinceRegion>
          <country>IT</country>
          <e-mail>john.doe@test.it</e-mail>
        </${name}>`;

interface ReceiptXmlOptions {
  transfers?: string;
  afterPaymentMethod?: string;
  paymentAmount?: string;
  debtor?: string;
}
const sendRtBody = (element: string, o: ReceiptXmlOptions = {}) => `
    <pafn:${element}>
      <idPA>77777777777</idPA>
      <idBrokerPA>77777777777</idBrokerPA>
      <idStation>77777777777_01</idStation>
      <receipt>
        <receiptId>c110729d258c4ab1b765fe902aae41d6</receiptId>
        <noticeNumber>311111111112222222</noticeNumber>
        <fiscalCode>77777777777</fiscalCode>
        <outcome>OK</outcome>
        <creditorReferenceId>11111111112222222</creditorReferenceId>
        <paymentAmount>${o.paymentAmount ?? '30.00'}</paymentAmount>
        <description>test</description>
        <companyName>company EC</companyName>
        <officeName>office EC</officeName>${o.debtor ?? subjectXml('debtor')}
        <transferList>${o.transfers ?? transferXml(1, '20.00') + transferXml(2, '10.00')}
        </transferList>
        <idPSP>88888888888</idPSP>
        <pspFiscalCode>88888888888</pspFiscalCode>
        <pspPartitaIVA>88888888888</pspPartitaIVA>
        <PSPCompanyName>PSP name</PSPCompanyName>
        <idChannel>88888888888_01</idChannel>
        <channelDescription>app</channelDescription>${subjectXml('payer')}
        <paymentMethod>creditCard</paymentMethod>${o.afterPaymentMethod ?? ''}
        <fee>2.00</fee>
        <paymentDateTime>2021-10-01T17:48:22</paymentDateTime>
        <applicationDate>2021-10-01</applicationDate>
        <transferDate>2021-10-02</transferDate>
        <metadata>
          <mapEntry>
            <key>keytest</key>
            <value>1</value>
          </mapEntry>
        </metadata>
      </receipt>
    </pafn:${element}>`;

describe('parsePaForNodeRequest: what the sandbox builders send', () => {
  it('paVerifyPaymentNotice', () => {
    expect(parsed(verifyRequest(caller, qrCode))).toEqual({
      operation: 'paVerifyPaymentNotice',
      ...caller,
      qrCode,
    });
  });

  it('paGetPayment (v1) and paGetPaymentV2, with and without the optional elements', () => {
    expect(parsed(getPaymentV2Request(caller, qrCode, '30.00'))).toEqual({
      operation: 'paGetPaymentV2',
      ...caller,
      qrCode,
      amount: '30.00',
    });
    const extra = { paymentNote: 'nota & <note>', transferType: 'PAGOPA' as const, dueDate: '2026-04-30' };
    expect(parsed(getPaymentRequest('v1', caller, qrCode, '1020.99', extra))).toEqual({
      operation: 'paGetPayment',
      ...caller,
      qrCode,
      amount: '1020.99',
      ...extra,
    });
  });

  it('paSendRT (v1) round-trips a full and a minimal ctReceipt', () => {
    expect(parsed(sendRtRequest('v1', caller, receiptV1))).toEqual({
      operation: 'paSendRT',
      ...caller,
      receipt: receiptV1,
    });
    expect(parsed(sendRtRequest('v1', caller, minimalReceipt))).toEqual({
      operation: 'paSendRT',
      ...caller,
      receipt: minimalReceipt,
    });
  });

  it('paSendRTV2 round-trips a full and a minimal ctReceiptV2', () => {
    expect(parsed(sendRtV2Request(caller, receiptV2))).toEqual({
      operation: 'paSendRTV2',
      ...caller,
      receipt: receiptV2,
    });
    expect(parsed(sendRtV2Request(caller, minimalReceipt))).toEqual({
      operation: 'paSendRTV2',
      ...caller,
      receipt: minimalReceipt,
    });
  });

  it('paSendRTV2 with a revenue stamp (MBDAttachment) instead of an IBAN', () => {
    const [first] = minimalReceipt.transferList;
    if (first === undefined) throw new Error('fixture');
    const receipt = {
      ...minimalReceipt,
      transferList: [{ ...first, iban: '', mbdAttachment: 'PG1hcmNhPjwvbWFyY2E+' }],
    };
    const xml = sendRtV2Request(caller, receipt);
    expect(xml).toContain('<MBDAttachment>PG1hcmNhPjwvbWFyY2E+</MBDAttachment>');
    expect(xml).not.toContain('<IBAN>');
    expect(parsed(xml)).toEqual({ operation: 'paSendRTV2', ...caller, receipt });
  });

  it('v1-only builders leave out the V2-only fields', () => {
    const xml = sendRtRequest('v1', caller, receiptV2);
    for (const v2Only of [
      'paymentNote',
      'primaryCiIncurredFee',
      'idBundle',
      'idCiBundle',
      'companyName>ANAC',
    ]) {
      expect(xml).not.toContain(`<${v2Only}`);
    }
    expect(parsed(xml)).toEqual({ operation: 'paSendRT', ...caller, receipt: receiptV1 });
  });
});

describe('parsePaForNodeRequest: hand-written requests modelled on the pagoPA examples', () => {
  it('paVerifyPaymentNoticeReq (indented, SOAP Header, any prefix or namespace on the body element)', () => {
    const expected = {
      operation: 'paVerifyPaymentNotice',
      idPA: '77777777777',
      idBrokerPA: '77777777777',
      idStation: '77777777777_01',
      qrCode: { fiscalCode: '77777777777', noticeNumber: '311111111112222222' },
    };
    expect(parsed(soap(verifyBody()))).toEqual(expected);
    // the 2021 example declares the nodeForPsp namespace with prefix "nod"
    const nod = soap(verifyBody().replace(/pafn:/g, 'nod:'), 'nod');
    expect(parsed(nod)).toEqual(expected);
    expect(parsed(soap(verifyBody()).replace(/\n/g, '\r\n'))).toEqual(expected);
  });

  it('paGetPayment and paGetPaymentV2 without <amount> (minOccurs=0 in the XSD)', () => {
    for (const element of ['paGetPaymentReq', 'paGetPaymentV2Request']) {
      const request = parsed(soap(getPaymentBody(element, '')));
      expect(request).toMatchObject({ qrCode: { noticeNumber: '311111111112222222' } });
      expect(request).not.toHaveProperty('amount');
    }
    expect(getPaymentRequest('v2', caller, qrCode, undefined)).not.toContain('<amount>');
  });

  it('the operation element in the default namespace (children reset to none), and xsi:schemaLocation', () => {
    const reset = (name: string) => new RegExp(`<${name}>`, 'g');
    let body = verifyBody()
      .replace('<pafn:paVerifyPaymentNoticeReq>', `<paVerifyPaymentNoticeReq xmlns="${PA_FOR_NODE_NS}">`)
      .replace('</pafn:paVerifyPaymentNoticeReq>', '</paVerifyPaymentNoticeReq>');
    for (const child of ['idPA', 'idBrokerPA', 'idStation', 'qrCode'])
      body = body.replace(reset(child), `<${child} xmlns="">`);
    expect(parsed(soap(body)).operation).toBe('paVerifyPaymentNotice');
    const hinted = soap(
      verifyBody().replace(
        '<pafn:paVerifyPaymentNoticeReq>',
        '<pafn:paVerifyPaymentNoticeReq xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="x y">',
      ),
    );
    expect(parsed(hinted).operation).toBe('paVerifyPaymentNotice');
  });

  it('paGetPaymentReq and paGetPaymentV2Request', () => {
    expect(parsed(soap(getPaymentBody('paGetPaymentReq')))).toMatchObject({
      operation: 'paGetPayment',
      amount: '30.00',
      qrCode: { noticeNumber: '311111111112222222' },
    });
    const v2 = getPaymentBody(
      'paGetPaymentV2Request',
      '<amount>30.00</amount><paymentNote>n</paymentNote><transferType>POSTAL</transferType><dueDate>2021-12-31</dueDate>',
    );
    expect(parsed(soap(v2))).toMatchObject({
      operation: 'paGetPaymentV2',
      amount: '30.00',
      paymentNote: 'n',
      transferType: 'POSTAL',
      dueDate: '2021-12-31',
    });
  });

  it('paSendRTReq, with <transferCategory> (mandatory since SANP 3.0.0)', () => {
    const request = parsed(soap(sendRtBody('paSendRTReq')));
    if (request.operation !== 'paSendRT') throw new Error(request.operation);
    expect(request.receipt).toMatchObject({
      receiptId: 'c110729d258c4ab1b765fe902aae41d6',
      noticeNumber: '311111111112222222',
      paymentAmount: '30.00',
      pspCompanyName: 'PSP name',
      fee: '2.00',
      debtor: { type: 'F', fiscalCode: 'JHNDOE00A01F205N', email: 'john.doe@test.it', country: 'IT' },
      metadata: [{ key: 'keytest', value: '1' }],
    });
    expect(request.receipt.transferList).toEqual([
      {
        idTransfer: 1,
        amount: '20.00',
        fiscalCodePA: '77777777777',
        iban: 'IT0000000000000000000000000',
        remittanceInformation: 'remittanceInformation1',
        transferCategory: '9/0101108TS/',
      },
      {
        idTransfer: 2,
        amount: '10.00',
        fiscalCodePA: '77777777777',
        iban: 'IT0000000000000000000000000',
        remittanceInformation: 'remittanceInformation2',
        transferCategory: '9/0101108TS/',
      },
    ]);
  });

  it('paSendRTV2Request, with the V2 fields and a transfer companyName', () => {
    const xml = soap(
      sendRtBody('paSendRTV2Request', {
        transfers: transferXml(1, '30.00', '\n            <companyName>EC</companyName>'),
        afterPaymentMethod: '<paymentNote>nota</paymentNote>',
      }),
    );
    const request = parsed(xml);
    if (request.operation !== 'paSendRTV2') throw new Error(request.operation);
    expect(request.receipt.paymentNote).toBe('nota');
    expect(request.receipt.transferList).toEqual([
      expect.objectContaining({
        idTransfer: 1,
        amount: '30.00',
        companyName: 'EC',
        iban: 'IT0000000000000000000000000',
      }),
    ]);
  });

  it('applies the XSD whitespace rules: decimals and dates are trimmed, strings are kept', () => {
    const xml = soap(
      getPaymentBody('paGetPaymentReq', '<amount>\n  030.00 </amount><dueDate> 2021-12-31 </dueDate>'),
    );
    expect(parsed(xml)).toMatchObject({ amount: '30.00', dueDate: '2021-12-31' });
    const nbsp = soap(getPaymentBody('paGetPaymentReq', '<amount>\u00A030.00</amount>'));
    expect(refused(nbsp).message).toMatch(/paGetPaymentReq\/amount: must be an amount/);
    const started = Date.now();
    const blanks = soap(getPaymentBody('paGetPaymentReq', `<amount>1${' '.repeat(200_000)}2</amount>`));
    expect(refused(blanks).message).toMatch(/amount/);
    // No catastrophic backtracking: a quadratic pattern would take minutes on 200,000 blanks.
    expect(Date.now() - started).toBeLessThan(5000);
    const spacedNotice = soap(verifyBody()).replace('311111111112222222<', ' 311111111112222222<');
    expect(refused(spacedNotice).message).toMatch(/noticeNumber: must be 18 digits/);
  });

  it('decodes the predefined entities, character references and CDATA', () => {
    const xml = soap(
      sendRtBody('paSendRTReq').replace(
        '<description>test</description>',
        '<description>Citt&#224; &amp; &#x20AC; &lt;1&gt; <![CDATA[a&amp;b <c>]]></description>',
      ),
    );
    const request = parsed(xml);
    if (request.operation !== 'paSendRT') throw new Error(request.operation);
    expect(request.receipt.description).toBe('Città & € <1> a&amp;b <c>');
  });

  it('reads standIn and the xsd:int/xsd:boolean lexical forms', () => {
    const xml = soap(
      sendRtBody('paSendRTReq', {
        transfers: transferXml(1, '30.00').replace('>1</idTransfer>', '>+01</idTransfer>'),
      }).replace('</metadata>', '</metadata><standIn>1</standIn>'),
    );
    const request = parsed(xml);
    if (request.operation !== 'paSendRT') throw new Error(request.operation);
    expect(request.receipt.standIn).toBe(true);
    expect(request.receipt.transferList[0]?.idTransfer).toBe(1);
  });
});

describe('parsePaForNodeRequest: strict validation, messages naming the element', () => {
  const verify = (inner: string) => soap(verifyBody().replace(/<qrCode>[\s\S]*<\/qrCode>/, inner));
  const cases: [string, string, RegExp][] = [
    [
      'notice number of 17 digits',
      soap(verifyBody()).replace('311111111112222222', '31111111111222222'),
      /paVerifyPaymentNoticeReq\/qrCode\/noticeNumber: must be 18 digits/,
    ],
    [
      'notice number with a letter',
      soap(verifyBody()).replace('311111111112222222', '31111111111222222A'),
      /qrCode\/noticeNumber: must be 18 digits/,
    ],
    [
      'creditor fiscal code of 10 digits',
      verify(
        '<qrCode><fiscalCode>7777777777</fiscalCode><noticeNumber>311111111112222222</noticeNumber></qrCode>',
      ),
      /qrCode\/fiscalCode: must be 11 digits/,
    ],
    ['missing qrCode', verify(''), /paVerifyPaymentNoticeReq: missing <qrCode>/],
    [
      'missing noticeNumber',
      verify('<qrCode><fiscalCode>77777777777</fiscalCode></qrCode>'),
      /qrCode: missing <noticeNumber>/,
    ],
    [
      'elements in the wrong order',
      verify(
        '<qrCode><noticeNumber>311111111112222222</noticeNumber><fiscalCode>77777777777</fiscalCode></qrCode>',
      ),
      /qrCode: expected <fiscalCode>, found <noticeNumber>/,
    ],
    [
      'missing idStation',
      soap(verifyBody()).replace('<idStation>77777777777_01</idStation>', ''),
      /paVerifyPaymentNoticeReq: expected <idStation>, found <qrCode>/,
    ],
    [
      'repeated idPA',
      soap(verifyBody()).replace(
        '<idPA>77777777777</idPA>',
        '<idPA>77777777777</idPA><idPA>77777777777</idPA>',
      ),
      /<idPA> may occur at most 1 time/,
    ],
    [
      'unknown element',
      soap(verifyBody('<foo>1</foo>')),
      /paVerifyPaymentNoticeReq: unexpected element <foo>/,
    ],
    [
      'empty idPA',
      soap(verifyBody()).replace('<idPA>77777777777</idPA>', '<idPA/>'),
      /paVerifyPaymentNoticeReq\/idPA: must be 1 to 35 characters long/,
    ],
    [
      'idStation of 36 characters',
      soap(verifyBody()).replace('77777777777_01', 'x'.repeat(36)),
      /idStation: must be 1 to 35 characters long/,
    ],
    [
      'text inside a complex element',
      soap(verifyBody()).replace('<qrCode>', '<qrCode>oops'),
      /qrCode: unexpected text/,
    ],
    [
      'an element inside a simple one',
      soap(verifyBody()).replace('<idPA>77777777777</idPA>', '<idPA><b>7</b></idPA>'),
      /idPA: must contain text, not the element <b>/,
    ],
    ...(['30', '30.0', '30.000', '-1.00', '1e3', '30,00', '1000000000.00', '', 'NaN'].map((amount) => [
      `amount "${amount}"`,
      soap(getPaymentBody('paGetPaymentReq', `<amount>${amount}</amount>`)),
      /paGetPaymentReq\/amount: must be an amount with two decimals/,
    ]) as [string, string, RegExp][]),
    [
      'operation element in another namespace',
      soap(
        verifyBody()
          .replace('<pafn:paVerifyPaymentNoticeReq>', '<w:paVerifyPaymentNoticeReq xmlns:w="urn:wrong">')
          .replace('</pafn:paVerifyPaymentNoticeReq>', '</w:paVerifyPaymentNoticeReq>'),
      ),
      /<paVerifyPaymentNoticeReq> must be in the paForNode namespace .*, not "urn:wrong"/,
    ],
    [
      'operation element in no namespace',
      soap(verifyBody().replace(/pafn:/g, '')),
      /must be in the paForNode namespace .*, not ""/,
    ],
    [
      'a child element in the paForNode namespace (they are unqualified)',
      soap(verifyBody().replace('<idPA>77777777777</idPA>', '<pafn:idPA>77777777777</pafn:idPA>')),
      /paVerifyPaymentNoticeReq: expected <idPA>, found <idPA> in the namespace/,
    ],
    [
      'a default namespace that qualifies the children',
      soap(
        verifyBody()
          .replace(
            '<pafn:paVerifyPaymentNoticeReq>',
            '<paVerifyPaymentNoticeReq xmlns="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">',
          )
          .replace('</pafn:paVerifyPaymentNoticeReq>', '</paVerifyPaymentNoticeReq>'),
      ),
      /expected <idPA>, found <idPA> in the namespace/,
    ],
    [
      'an attribute the XSD does not declare',
      soap(verifyBody().replace('<idPA>', '<idPA lang="it">')),
      /idPA: unexpected attribute lang/,
    ],
    [
      'an undeclared prefix',
      soap(verifyBody().replace('<idPA>77777777777</idPA>', '<x:idPA>77777777777</x:idPA>')),
      /namespace prefix "x" of <x:idPA> is not declared|malformed/,
    ],
    [
      'a SOAP 1.2 envelope',
      soap(verifyBody()).replace(
        'http://schemas.xmlsoap.org/soap/envelope/',
        'http://www.w3.org/2003/05/soap-envelope',
      ),
      /SOAP 1\.2 envelope: this service speaks SOAP 1\.1/,
    ],
    [
      'unknown transferType',
      soap(getPaymentBody('paGetPaymentReq', '<amount>1.00</amount><transferType>SWIFT</transferType>')),
      /transferType: must be one of POSTAL, PAGOPA/,
    ],
    [
      'impossible dueDate',
      soap(getPaymentBody('paGetPaymentReq', '<amount>1.00</amount><dueDate>2021-02-29</dueDate>')),
      /dueDate: must be a date YYYY-MM-DD/,
    ],
    [
      'a transfer of 0.00',
      soap(sendRtBody('paSendRTReq', { transfers: transferXml(1, '0.00') })),
      /transferList\/transfer\[1\]\/transferAmount: must be an amount with two decimals, from 0.01/,
    ],
    [
      'six transfers',
      soap(
        sendRtBody('paSendRTReq', {
          transfers: [1, 2, 3, 4, 5, 5].map((i) => transferXml(i, '5.00')).join(''),
        }),
      ),
      /transferList: <transfer> may occur at most 5 times/,
    ],
    [
      'idTransfer 6',
      soap(sendRtBody('paSendRTReq', { transfers: transferXml(6, '30.00') })),
      /transfer\[1\]\/idTransfer: must be an integer from 1 to 5/,
    ],
    [
      'transfer without transferCategory (the 2021 examples)',
      soap(
        sendRtBody('paSendRTReq', {
          transfers: transferXml(1, '30.00').replace(/<transferCategory>.*<\/transferCategory>/, ''),
        }),
      ),
      /paSendRTReq\/receipt\/transferList\/transfer\[1\]: missing <transferCategory>/,
    ],
    [
      'transfer companyName in a v1 receipt',
      soap(
        sendRtBody('paSendRTReq', { transfers: transferXml(1, '30.00', '<companyName>EC</companyName>') }),
      ),
      /transfer\[1\]: expected <IBAN>, found <companyName>/,
    ],
    [
      'V2 receipt transfer with neither IBAN nor MBDAttachment',
      soap(
        sendRtBody('paSendRTV2Request', {
          transfers: transferXml(1, '30.00').replace(/<IBAN>.*<\/IBAN>/, ''),
        }),
      ),
      /transfer\[1\]: expected <IBAN> or <MBDAttachment>, found <remittanceInformation>/,
    ],
    [
      'paymentNote (V2 only) in a v1 receipt',
      soap(sendRtBody('paSendRTReq', { afterPaymentMethod: '<paymentNote>n</paymentNote>' })),
      /paSendRTReq\/receipt: unexpected element <paymentNote>/,
    ],
    [
      'entityUniqueIdentifierType X',
      soap(sendRtBody('paSendRTReq', { debtor: subjectXml('debtor').replace('>F<', '>X<') })),
      /receipt\/debtor\/uniqueIdentifier\/entityUniqueIdentifierType: must be one of F, G/,
    ],
    [
      'malformed e-mail',
      soap(
        sendRtBody('paSendRTReq', { debtor: subjectXml('debtor').replace('john.doe@test.it', 'john doe') }),
      ),
      /receipt\/debtor\/e-mail: must be an e-mail address/,
    ],
    [
      'lower-case country',
      soap(sendRtBody('paSendRTReq', { debtor: subjectXml('debtor').replace('>IT<', '>it<') })),
      /receipt\/debtor\/country: must be 2 capital letters/,
    ],
    [
      'paymentDateTime with a space',
      soap(sendRtBody('paSendRTReq')).replace('2021-10-01T17:48:22', '2021-10-01 17:48:22'),
      /receipt\/paymentDateTime: must be a date and time/,
    ],
    [
      'receipt outcome "ok"',
      soap(sendRtBody('paSendRTReq')).replace('<outcome>OK</outcome>', '<outcome>ok</outcome>'),
      /receipt\/outcome: must be one of OK, KO/,
    ],
    [
      'paymentAmount with three decimals',
      soap(sendRtBody('paSendRTReq', { paymentAmount: '30.001' })),
      /receipt\/paymentAmount: must be an amount with two decimals/,
    ],
    [
      'metadata without entries',
      soap(sendRtBody('paSendRTReq')).replace(/<metadata>[\s\S]*<\/metadata>/, '<metadata/>'),
      /receipt\/metadata: missing <mapEntry>/,
    ],
  ];

  it.each(cases)('%s', (_name, xml, message) => {
    expect(refused(xml).message).toMatch(message);
  });

  it('reports the operation and the idPA when they can be read, for the fault', () => {
    const result = refused(soap(getPaymentBody('paGetPaymentV2Request', '<amount>30</amount>')));
    expect(result).toMatchObject({ operation: 'paGetPaymentV2', idPA: '77777777777' });
    const noIdPA = refused(soap(verifyBody()).replace('<idPA>77777777777</idPA>', ''));
    expect(noIdPA.operation).toBe('paVerifyPaymentNotice');
    expect(noIdPA.idPA).toBeUndefined();
  });

  it('refuses operations this creditor does not offer, and responses', () => {
    const demand = soap(
      '<pafn:paDemandPaymentNoticeRequest><idPA>1</idPA></pafn:paDemandPaymentNoticeRequest>',
    );
    expect(refused(demand)).toEqual({
      ok: false,
      message: 'unsupported operation element <paDemandPaymentNoticeRequest>',
    });
    expect(refused(sendRtResponse('v2')).message).toMatch(
      /unsupported operation element <paSendRTV2Response>/,
    );
  });
});

describe('parsePaForNodeRequest: garbage never throws', () => {
  const garbage: [string, unknown, RegExp][] = [
    ['empty string', '', /empty message/],
    ['blanks', '  \n\t ', /empty message/],
    ['plain text', 'hello world', /malformed XML/],
    ['JSON', '{"idPA":"77777777777"}', /malformed XML/],
    ['unclosed tag', '<soapenv:Envelope><soapenv:Body>', /malformed XML/],
    ['mismatched tags', '<a><b></a></b>', /malformed XML/],
    ['not an envelope', '<paVerifyPaymentNoticeReq/>', /root element must be the SOAP Envelope/],
    ['two roots', '<Envelope><Body/></Envelope><Envelope/>', /more than one root element|malformed/],
    [
      'no Body',
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/></soapenv:Envelope>',
      /missing <Body>/,
    ],
    [
      'Envelope in another namespace',
      '<s:Envelope xmlns:s="x"><s:Body/></s:Envelope>',
      /Envelope: must be in the SOAP 1.1 namespace/,
    ],
    ['empty Body', soap(''), /Body: empty/],
    ['two body elements', soap(verifyBody() + verifyBody()), /Body: more than one element/],
    ['text in Body', soap('hello'), /Body: unexpected text|Body: empty/],
    [
      'element after Body',
      soap(verifyBody()).replace('</soapenv:Envelope>', '<x/></soapenv:Envelope>'),
      /unexpected element <x>/,
    ],
    ['undeclared entity', soap(verifyBody()).replace('77777777777_01', '&nbsp;'), /undeclared entity &nbsp;/],
    [
      'bad character reference',
      soap(verifyBody()).replace('77777777777_01', '&#0;'),
      /invalid character reference|malformed/,
    ],
    [
      'control character',
      soap(verifyBody()).replace('77777777777_01', 'a\u0001b'),
      /characters not allowed in XML/,
    ],
    [
      'lone surrogate',
      soap(verifyBody()).replace('77777777777_01', 'a\uD800b'),
      /characters not allowed in XML/,
    ],
    ['reserved name', soap('<constructor/>'), /malformed XML|unsupported/],
    ['not a string', 42, /not text/],
    ['null', null, /not text/],
  ];

  it.each(garbage)('%s', (_name, input, message) => {
    const result = parsePaForNodeRequest(input as string);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('refuses DTDs, so no entity expansion (billion laughs) and no external entities (XXE)', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ).join('') +
      ']>' +
      soap(verifyBody()).replace('77777777777_01', '&lol9;');
    expect(refused(lol).message).toMatch(/DTDs are not allowed/);
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
      soap(verifyBody()).replace('77777777777_01', '&x;');
    expect(refused(xxe).message).toMatch(/DTDs are not allowed/);
  });

  it('refuses huge messages before parsing them, and survives deep nesting', () => {
    const huge = soap(verifyBody()).replace(
      '<soapenv:Header/>',
      `<soapenv:Header>${' '.repeat(MAX_SOAP_MESSAGE_CHARS)}</soapenv:Header>`,
    );
    const started = Date.now();
    expect(refused(huge).message).toMatch(/larger than/);
    expect(Date.now() - started).toBeLessThan(5000);
    const openTags = parsePaForNodeRequest('<a>'.repeat(MAX_SOAP_MESSAGE_CHARS / 3 - 1));
    expect(openTags.ok).toBe(false);
    if (!openTags.ok) expect(openTags.message.length).toBeLessThanOrEqual(300);
    const longName = refused(soap(`<pafn:${'x'.repeat(100_000)}/>`));
    expect(longName.message).toMatch(/^unsupported operation element <xxx/);
    expect(longName.message.length).toBeLessThanOrEqual(300);
    const depth = 20_000;
    const deep = soap(
      verifyBody().replace('<qrCode>', `<qrCode>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`),
    );
    // refused by the XML guard before any parser sees it, naming the limit
    expect(refused(deep).message).toMatch(/nested deeper than the limit/);
    const wide = soap(verifyBody('<x/>'.repeat(50_000)));
    expect(refused(wide).message).toMatch(/more than the limit|unexpected element <x>/);
  });

  it('never throws, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const result = parsePaForNodeRequest(s);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.message.length).toBeLessThanOrEqual(300);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutilated requests (property)', () => {
    const valid = sendRtV2Request(caller, receiptV2);
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length - 1 }),
        fc.nat({ max: 40 }),
        fc.string({ maxLength: 5 }),
        (at, cut, insert) => {
          const mutated = valid.slice(0, at) + insert + valid.slice(at + cut);
          const result = parsePaForNodeRequest(mutated);
          if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('response builders', () => {
  it('verifyResponse: outcome OK and one EQ payment option', () => {
    const xml = verifyResponse({
      amount: '30.00',
      dueDate: '2026-04-30',
      detailDescription: 'Contributo & spese',
      paymentDescription: 'Contributo gara',
      fiscalCodePA: '97584460584',
      companyName: 'Autorità Nazionale Anticorruzione',
      officeName: 'Ufficio contribuzioni',
    });
    expect(xml).toContain(
      '<pafn:paVerifyPaymentNoticeRes xmlns:pafn="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">',
    );
    expect(xml).toContain('<detailDescription>Contributo &amp; spese</detailDescription>');
    expect(parseResponse(xml)).toEqual({
      outcome: 'OK',
      element: 'paVerifyPaymentNoticeRes',
      fields: {
        outcome: 'OK',
        paymentList: {
          paymentOptionDescription: {
            amount: '30.00',
            options: 'EQ',
            dueDate: '2026-04-30',
            detailDescription: 'Contributo & spese',
            allCCP: 'false',
          },
        },
        paymentDescription: 'Contributo gara',
        fiscalCodePA: '97584460584',
        companyName: 'Autorità Nazionale Anticorruzione',
        officeName: 'Ufficio contribuzioni',
      },
    });
  });

  it.each(['v1', 'v2'] as const)(
    'getPaymentResponse %s carries the payment data and transfers',
    (version) => {
      const xml = getPaymentResponse(version, paymentData);
      const response = parseResponse(xml);
      expect(response.element).toBe(version === 'v1' ? 'paGetPaymentRes' : 'paGetPaymentV2Response');
      expect(response.outcome).toBe('OK');
      expect(response.fields.data).toMatchObject({
        creditorReferenceId: '01202500000122805',
        paymentAmount: '30.00',
        dueDate: '2026-04-30',
        debtor: {
          uniqueIdentifier: { entityUniqueIdentifierType: 'G', entityUniqueIdentifierValue: '01234567890' },
          fullName: 'Rossi & Figli <srl>',
          'e-mail': 'amministrazione@rossi.example.it',
        },
        transferList: {
          transfer: [
            {
              idTransfer: '1',
              transferAmount: '30.00',
              IBAN: 'IT60X0542811101000000123456',
              transferCategory: '9/0101108TS/',
              ...(version === 'v2' ? { companyName: 'ANAC' } : {}),
            },
          ],
        },
      });
      if (version === 'v1') expect(xml).not.toContain('<companyName>ANAC</companyName>');
      expect(xml).toContain('<fullName>Rossi &amp; Figli &lt;srl&gt;</fullName>');
    },
  );

  it('getPaymentResponse adds amounts exactly (no floating point) and refuses transfers that do not add up', () => {
    const [t] = paymentData.transfers;
    if (t === undefined) throw new Error('fixture');
    const split = (a: string, b: string, total: string) => ({
      ...paymentData,
      amount: total,
      transfers: [
        { ...t, amount: a },
        { ...t, idTransfer: 2, amount: b },
      ],
    });
    expect(() => getPaymentResponse('v2', split('0.10', '0.20', '0.30'))).not.toThrow();
    expect(() => getPaymentResponse('v2', split('0.10', '0.20', '0.31'))).toThrow(PaForNodeBuildError);
    expect(() => getPaymentResponse('v2', { ...paymentData, transfers: [] })).toThrow(/transfers/);
    const sameId = {
      ...paymentData,
      transfers: [
        { ...t, amount: '15.00' },
        { ...t, amount: '15.00' },
      ],
    };
    expect(() => getPaymentResponse('v2', sameId)).toThrow(/distinct/);
  });

  it('builders refuse identifiers and amounts the XSD would refuse', () => {
    expect(() => getPaymentResponse('v1', { ...paymentData, fiscalCodePA: '123' })).toThrow(
      /fiscalCodePA: must be 11 digits/,
    );
    expect(() => getPaymentResponse('v1', { ...paymentData, dueDate: '30/04/2026' })).toThrow(/dueDate/);
    expect(() =>
      verifyResponse({
        amount: '30',
        dueDate: '2026-04-30',
        detailDescription: 'd',
        paymentDescription: 'p',
        fiscalCodePA: '97584460584',
        companyName: 'c',
      }),
    ).toThrow(/amount/);
    expect(() =>
      verifyResponse({
        amount: '0.00',
        dueDate: '2026-04-30',
        detailDescription: 'd',
        paymentDescription: 'p',
        fiscalCodePA: '97584460584',
        companyName: 'c',
      }),
    ).toThrow(/amount/);
    expect(() => verifyRequest({ ...caller, idStation: '' }, qrCode)).toThrow(/idStation/);
    expect(() => verifyRequest(caller, { ...qrCode, noticeNumber: '1' })).toThrow(
      /qrCode.noticeNumber: must be 18 digits/,
    );
    expect(() => getPaymentV2Request(caller, qrCode, '30.5')).toThrow(/amount/);
    expect(() => sendRtV2Request(caller, { ...minimalReceipt, paymentDateTime: 'yesterday' })).toThrow(
      /paymentDateTime/,
    );
  });

  it('builders cut free text to the XSD length and leave out malformed optional contact data', () => {
    const long = 'è'.repeat(200);
    const xml = getPaymentResponse('v2', {
      ...paymentData,
      description: long,
      debtor: { ...paymentData.debtor, fullName: long, email: 'not an e-mail', country: 'Italy' },
    });
    const data = parseResponse(xml).fields.data as { description: string; debtor: Record<string, unknown> };
    expect(data.description).toBe('è'.repeat(140));
    expect(data.debtor.fullName).toBe('è'.repeat(70));
    expect(data.debtor['e-mail']).toBeUndefined();
    expect(data.debtor.country).toBeUndefined();
  });

  it.each(['v1', 'v2'] as const)('sendRtResponse %s', (version) => {
    expect(parseResponse(sendRtResponse(version))).toEqual({
      outcome: 'OK',
      element: version === 'v1' ? 'paSendRTRes' : 'paSendRTV2Response',
      fields: { outcome: 'OK' },
    });
  });

  it.each([
    ['paVerifyPaymentNotice', 'paVerifyPaymentNoticeRes'],
    ['paGetPayment', 'paGetPaymentRes'],
    ['paGetPaymentV2', 'paGetPaymentV2Response'],
    ['paSendRT', 'paSendRTRes'],
    ['paSendRTV2', 'paSendRTV2Response'],
  ] as const)('faultResponse for %s answers with <%s>, outcome KO', (operation, element) => {
    const xml = faultResponse(operation, {
      code: 'PAA_PAGAMENTO_SCONOSCIUTO',
      faultString: 'Pagamento in attesa risulta sconosciuto all’Ente Creditore',
      description: 'IUV <01202500000122805> & co',
      idPA: '97584460584',
    });
    expect(xml).toContain(`<pafn:${element} xmlns:pafn=`);
    expect(parseResponse(xml)).toEqual({
      outcome: 'KO',
      element,
      fault: {
        faultCode: 'PAA_PAGAMENTO_SCONOSCIUTO',
        faultString: 'Pagamento in attesa risulta sconosciuto all’Ente Creditore',
        description: 'IUV <01202500000122805> & co',
      },
      fields: expect.objectContaining({ outcome: 'KO' }),
    });
  });

  it('faultResponse never throws and keeps the XML well-formed whatever the text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.string({ maxLength: 20 }),
        (text, idPA) => {
          const xml = faultResponse('paSendRTV2', {
            code: 'PAA_SYSTEM_ERROR',
            faultString: text,
            description: text,
            idPA,
          });
          const response = parseResponse(xml);
          expect(response.outcome).toBe('KO');
        },
      ),
      { numRuns: 300 },
    );
    const xml = faultResponse('paSendRT', {
      code: 'PAA_SYSTEM_ERROR',
      faultString: 'a\u0000b]]>c\rd',
      idPA: '',
    });
    expect(xml).toContain('<faultString>a\uFFFDb]]&gt;c&#13;d</faultString>');
    expect(parseResponse(xml).fault?.faultString).toBe('a\uFFFDb]]>c\rd');
  });
});

describe('parseResponse (sandbox side)', () => {
  it('reads a SOAP Fault as outcome KO', () => {
    const xml =
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>' +
      '<faultcode>s:Server</faultcode><faultstring>boom</faultstring></s:Fault></s:Body></s:Envelope>';
    expect(parseResponse(xml)).toMatchObject({
      outcome: 'KO',
      element: 'Fault',
      fault: { faultCode: 's:Server', faultString: 'boom' },
    });
  });

  it('throws a clear error on what is not a response', () => {
    expect(() => parseResponse('')).toThrow(/not a valid paForNode response: empty message/);
    expect(() => parseResponse('<html>502 Bad Gateway</html>')).toThrow(/SOAP Envelope/);
    expect(() => parseResponse(verifyRequest(caller, qrCode))).toThrow(/no outcome/);
  });
});
