/**
 * Conformance of the paForNode SOAP codec with the official pagoPA XSD (pagopa-api, paForNode.xsd and
 * the common types it imports), validated by xmllint (libxml2). The SOAP body's root element of every
 * message the codec builds is cut out of its envelope and validated on its own; the codec's own request
 * validator is also checked against xmllint on a set of altered requests (both must agree).
 *
 * The specs live beside the project (../shared/specs); without them this suite is skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  faultResponse,
  getPaymentRequest,
  getPaymentResponse,
  getPaymentV2Request,
  parsePaForNodeRequest,
  sendRtRequest,
  sendRtResponse,
  sendRtV2Request,
  verifyRequest,
  verifyResponse,
  type Caller,
  type PaForNodeOperation,
  type PaymentData,
  type Receipt,
} from '../../src/adapters/pagopa/pa-for-node-soap.js';
import { bodyRoot, validateAgainstXsd, xsdImportsOf } from '../support/xsd.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const pagopaDir = resolve(projectRoot, '../shared/specs/pagopa-api');
const xsdPath = join(pagopaDir, 'wsdl/xsd/paForNode.xsd');
const examplesDir = join(pagopaDir, 'examples-2021');
const specsAvailable = existsSync(xsdPath);
if (!specsAvailable) {
  console.warn(
    `[pa-for-node-xsd] conformance suite SKIPPED: ${xsdPath} not found ` +
      '(the official pagoPA specs are expected in ../shared/specs beside the project)',
  );
}

async function xsdErrors(envelope: string): Promise<string[]> {
  const result = await validateAgainstXsd(bodyRoot(envelope), xsdPath, xsdImportsOf(xsdPath));
  return result.valid ? [] : result.errors.length > 0 ? result.errors : ['invalid (no message)'];
}

const caller: Caller = { idPA: '97584460584', idBrokerPA: '97584460584', idStation: '97584460584_01' };
const qrCode = { fiscalCode: '97584460584', noticeNumber: '301202500000122805' };
const debtor = {
  type: 'G' as const,
  fiscalCode: '01234567890',
  fullName: 'Rossi & Figli <srl> "Città"',
  email: 'amministrazione@rossi.example.it',
  streetName: 'Via Roma',
  civicNumber: '1',
  postalCode: '00100',
  city: 'Roma',
  stateProvinceRegion: 'RM',
  country: 'IT',
};
const transfer = {
  idTransfer: 1,
  amount: '20.00',
  fiscalCodePA: '97584460584',
  iban: 'IT60X0542811101000000123456',
  remittanceInformation: 'Contributo CIG B1FDB28AAF',
  transferCategory: '9/0101108TS/',
  companyName: 'ANAC',
};
const payment: PaymentData = {
  creditorReferenceId: '01202500000122805',
  amount: '30.00',
  dueDate: '2026-04-30',
  description: 'Contributo gara CIG B1FDB28AAF & lotti <1-2>',
  companyName: 'Autorità Nazionale Anticorruzione',
  officeName: 'Ufficio contribuzioni',
  fiscalCodePA: '97584460584',
  debtor,
  transfers: [
    transfer,
    { ...transfer, idTransfer: 2, amount: '10.00', metadata: [{ key: 'lot', value: '2' }] },
  ],
  metadata: [{ key: 'cig', value: 'B1FDB28AAF' }],
};
const receipt: Receipt = {
  receiptId: 'c110729d258c4ab1b765fe902aae41d6',
  noticeNumber: qrCode.noticeNumber,
  fiscalCode: '97584460584',
  outcome: 'OK',
  creditorReferenceId: '01202500000122805',
  paymentAmount: '30.00',
  description: 'Contributo gara',
  companyName: 'Autorità Nazionale Anticorruzione',
  officeName: 'Ufficio contribuzioni',
  debtor,
  transferList: payment.transfers,
  idPSP: 'BCITITMM',
  pspFiscalCode: '00799960158',
  pspPartitaIVA: '00799960158',
  pspCompanyName: 'Intesa Sanpaolo',
  idChannel: '00799960158_01',
  channelDescription: 'app',
  payer: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
  paymentMethod: 'creditCard',
  paymentNote: 'nota',
  fee: '1.50',
  primaryCiIncurredFee: '0.50',
  idBundle: 'bundle-1',
  idCiBundle: 'ci-bundle-1',
  paymentDateTime: '2026-03-02T10:15:30.123+01:00',
  applicationDate: '2026-03-02',
  transferDate: '2026-03-03',
  metadata: [{ key: 'channel', value: 'web' }],
  standIn: false,
};
const minimalReceipt: Receipt = {
  receiptId: 'r1',
  noticeNumber: qrCode.noticeNumber,
  fiscalCode: '97584460584',
  outcome: 'KO',
  creditorReferenceId: '01202500000122805',
  paymentAmount: '0.00',
  description: 'Contributo',
  companyName: 'ANAC',
  debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
  transferList: [{ ...transfer, amount: '30.00', companyName: undefined }],
  idPSP: 'BCITITMM',
  pspCompanyName: 'PSP',
  idChannel: 'ch',
  channelDescription: 'app',
};
const operations: PaForNodeOperation[] = [
  'paVerifyPaymentNotice',
  'paGetPayment',
  'paGetPaymentV2',
  'paSendRT',
  'paSendRTV2',
];

describe.skipIf(!specsAvailable)('paForNode.xsd conformance (xmllint)', () => {
  it('resolves the imports of paForNode.xsd (xsd-common)', () => {
    expect(xsdImportsOf(xsdPath)).toEqual([join(pagopaDir, 'xsd-common/sac-common-types-1.0.xsd')]);
  });

  const creditorResponses: [string, () => string][] = [
    [
      'verifyResponse (OK)',
      () =>
        verifyResponse({
          amount: '30.00',
          dueDate: '2026-04-30',
          detailDescription: 'Contributo & spese',
          paymentDescription: 'Contributo gara CIG B1FDB28AAF',
          fiscalCodePA: '97584460584',
          companyName: 'Autorità Nazionale Anticorruzione',
          officeName: 'Ufficio contribuzioni',
        }),
    ],
    [
      'verifyResponse without the optional texts',
      () =>
        verifyResponse({
          amount: '0.01',
          dueDate: '2026-04-30',
          detailDescription: '',
          paymentDescription: 'p',
          fiscalCodePA: '97584460584',
          companyName: 'c',
        }),
    ],
    ['getPaymentResponse v1', () => getPaymentResponse('v1', payment)],
    ['getPaymentResponse v2', () => getPaymentResponse('v2', payment)],
    [
      'getPaymentResponse v2, minimal debtor, texts longer than the XSD allows',
      () =>
        getPaymentResponse('v2', {
          ...payment,
          officeName: undefined,
          metadata: undefined,
          description: 'x'.repeat(500),
          debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'M'.repeat(100), email: 'bad mail' },
        }),
    ],
    ['sendRtResponse v1', () => sendRtResponse('v1')],
    ['sendRtResponse v2', () => sendRtResponse('v2')],
    ...operations.map((operation): [string, () => string] => [
      `faultResponse ${operation}`,
      () =>
        faultResponse(operation, {
          code: 'PAA_PAGAMENTO_SCONOSCIUTO',
          faultString: 'Pagamento in attesa risulta sconosciuto all’Ente Creditore',
          description: 'IUV <01202500000122805> & co',
          idPA: '97584460584',
        }),
    ]),
    [
      'faultResponse without description',
      () => faultResponse('paSendRTV2', { code: 'PAA_SINTASSI_XSD', faultString: 'x', idPA: '' }),
    ],
  ];

  const nodeRequests: [string, () => string][] = [
    ['verifyRequest', () => verifyRequest(caller, qrCode)],
    ['getPaymentV2Request', () => getPaymentV2Request(caller, qrCode, '30.00')],
    [
      'getPaymentRequest v1 with the optional elements',
      () =>
        getPaymentRequest('v1', caller, qrCode, '30.00', {
          paymentNote: 'nota',
          transferType: 'PAGOPA',
          dueDate: '2026-04-30',
        }),
    ],
    ['sendRtV2Request (full receipt)', () => sendRtV2Request(caller, receipt)],
    ['sendRtV2Request (minimal receipt)', () => sendRtV2Request(caller, minimalReceipt)],
    [
      'sendRtV2Request (revenue stamp instead of IBAN)',
      () =>
        sendRtV2Request(caller, {
          ...minimalReceipt,
          transferList: [{ ...transfer, amount: '30.00', iban: '', mbdAttachment: 'PG1hcmNhPjwvbWFyY2E+' }],
        }),
    ],
    ['sendRtRequest v1 (full receipt)', () => sendRtRequest('v1', caller, receipt)],
  ];

  it.each(creditorResponses)('creditor response: %s', async (_name, build) => {
    expect(await xsdErrors(build())).toEqual([]);
  });

  it.each(nodeRequests)('sandbox request: %s', async (_name, build) => {
    expect(await xsdErrors(build())).toEqual([]);
  });

  it('the check is real: a response missing a mandatory element is refused', async () => {
    const broken = sendRtResponse('v2').replace('<outcome>OK</outcome>', '');
    expect((await xsdErrors(broken)).join('\n')).toMatch(/outcome/);
  });

  describe("the codec's request validator agrees with xmllint", () => {
    const v2 = sendRtV2Request(caller, receipt);
    const verify = verifyRequest(caller, qrCode);
    const getPayment = getPaymentV2Request(caller, qrCode, '30.00');
    const mutations: [string, string][] = [
      ['verify as built', verify],
      ['getPaymentV2 as built', getPayment],
      ['sendRTV2 as built', v2],
      ['notice number of 17 digits', verify.replace(qrCode.noticeNumber, qrCode.noticeNumber.slice(1))],
      ['notice number with a leading blank', verify.replace(qrCode.noticeNumber, ` ${qrCode.noticeNumber}`)],
      ['fiscal code with a letter', verify.replace('<fiscalCode>97584460584', '<fiscalCode>9758446058A')],
      ['empty idPA', verify.replace('<idPA>97584460584</idPA>', '<idPA></idPA>')],
      [
        'idBrokerPA of 36 characters',
        verify.replace('<idBrokerPA>97584460584', `<idBrokerPA>${'9'.repeat(36)}`),
      ],
      [
        'qrCode children swapped',
        verify.replace(
          /<qrCode>(<fiscalCode>.*?<\/fiscalCode>)(<noticeNumber>.*?<\/noticeNumber>)/,
          '<qrCode>$2$1',
        ),
      ],
      ['unknown element', verify.replace('</qrCode>', '</qrCode><foo/>')],
      ['amount 30.0', getPayment.replace('<amount>30.00', '<amount>30.0')],
      ['amount with blanks and leading zero', getPayment.replace('<amount>30.00', '<amount> 030.00 ')],
      ['amount after a no-break space', getPayment.replace('<amount>30.00', '<amount>\u00A030.00')],
      ['amount 1000000000.00', getPayment.replace('<amount>30.00', '<amount>1000000000.00')],
      ['dueDate 2026-02-29', getPayment.replace('</amount>', '</amount><dueDate>2026-02-29</dueDate>')],
      ['dueDate 2028-02-29', getPayment.replace('</amount>', '</amount><dueDate>2028-02-29</dueDate>')],
      ['dueDate with time zone', getPayment.replace('</amount>', '</amount><dueDate>2028-02-29Z</dueDate>')],
      ['transferType SWIFT', getPayment.replace('</amount>', '</amount><transferType>SWIFT</transferType>')],
      ['a transfer of 0.00', v2.replace('<transferAmount>20.00', '<transferAmount>0.00')],
      ['idTransfer +01', v2.replace('<idTransfer>1<', '<idTransfer>+01<')],
      ['idTransfer 6', v2.replace('<idTransfer>1<', '<idTransfer>6<')],
      ['transfer without transferCategory', v2.replace(/<transferCategory>[^<]*<\/transferCategory>/, '')],
      ['transfer without IBAN', v2.replace(/<IBAN>[^<]*<\/IBAN>/, '')],
      ['e-mail with a blank', v2.replace('amministrazione@rossi', 'amministrazione @rossi')],
      ['country it', v2.replace('<country>IT', '<country>it')],
      ['entity type X', v2.replace('<entityUniqueIdentifierType>G', '<entityUniqueIdentifierType>X')],
      ['standIn 1', v2.replace('<standIn>false', '<standIn>1')],
      ['standIn yes', v2.replace('<standIn>false', '<standIn>yes')],
      ['paymentDateTime without seconds', v2.replace('2026-03-02T10:15:30.123+01:00', '2026-03-02T10:15')],
      ['paymentDateTime 24:00:00', v2.replace('2026-03-02T10:15:30.123+01:00', '2026-03-02T24:00:00')],
      ['fee 1.5', v2.replace('<fee>1.50', '<fee>1.5')],
      ['paymentNote of 211 characters', v2.replace('<paymentNote>nota', `<paymentNote>${'n'.repeat(211)}`)],
      ['receipt without idPSP', v2.replace(/<idPSP>[^<]*<\/idPSP>/, '')],
      [
        'V2-only paymentNote in a v1 receipt',
        sendRtRequest('v1', caller, receipt).replace(
          '</paymentMethod>',
          '</paymentMethod><paymentNote>n</paymentNote>',
        ),
      ],
      [
        '16 metadata entries',
        v2.replace(
          '<metadata><mapEntry><key>channel',
          `<metadata>${'<mapEntry><key>k</key><value>v</value></mapEntry>'.repeat(15)}<mapEntry><key>channel`,
        ),
      ],
    ];

    it.each(mutations)('%s', async (_name, xml) => {
      const ours = parsePaForNodeRequest(xml);
      const errors = await xsdErrors(xml);
      expect({ codecAccepts: ours.ok, xmllintAccepts: errors.length === 0 }).toEqual({
        codecAccepts: errors.length === 0,
        xmllintAccepts: ours.ok,
      });
    });

    it('paGetPayment without <amount> (optional in the XSD): both accept it', async () => {
      const noAmount = getPayment.replace(/<amount>[^<]*<\/amount>/, '');
      expect(await xsdErrors(noAmount)).toEqual([]);
      expect(parsePaForNodeRequest(noAmount).ok).toBe(true);
    });
  });

  describe('the 2021 examples (they predate the mandatory <transferCategory>)', () => {
    const example = (name: string) => readFileSync(join(examplesDir, name), 'utf8');

    it('requests: getPayment parses; verify (wrong namespace) and sendRT (no transferCategory) are refused', () => {
      expect(parsePaForNodeRequest(example('ReqPaVerifyPayment.xml'))).toMatchObject({
        ok: false,
        operation: 'paVerifyPaymentNotice',
        message: expect.stringMatching(/must be in the paForNode namespace/),
      });
      expect(parsePaForNodeRequest(example('ReqPaGetPayment.xml'))).toMatchObject({
        ok: true,
        request: { operation: 'paGetPayment', amount: '30.00' },
      });
      expect(parsePaForNodeRequest(example('ReqPaSendRT.xml'))).toMatchObject({
        ok: false,
        operation: 'paSendRT',
        message: expect.stringMatching(/transfer\[1\]: missing <transferCategory>/),
      });
    });

    it('against the current XSD', async () => {
      expect(await xsdErrors(example('200PaVerifyPaymentNotice.xml'))).toEqual([]);
      expect(await xsdErrors(example('200PaSendRT.xml'))).toEqual([]);
      expect(await xsdErrors(example('ReqPaGetPayment.xml'))).toEqual([]);
      expect((await xsdErrors(example('200PaGetPayment.xml'))).join('\n')).toMatch(/transferCategory/);
      expect((await xsdErrors(example('ReqPaSendRT.xml'))).join('\n')).toMatch(/transferCategory/);
      // this example puts paVerifyPaymentNoticeReq in the nodeForPsp namespace: not a paForNode element
      expect((await xsdErrors(example('ReqPaVerifyPayment.xml'))).join('\n')).toMatch(
        /No matching global declaration/,
      );
      const fixed = example('ReqPaSendRT.xml').replace(
        /<\/remittanceInformation>/g,
        '</remittanceInformation><transferCategory>9/0101108TS/</transferCategory>',
      );
      expect(await xsdErrors(fixed)).toEqual([]);
      expect(parsePaForNodeRequest(fixed).ok).toBe(true);
    });
  });
});
