/**
 * paForNode requests are judged by the official schema, not stricter or looser: a corpus of requests,
 * schema-valid variants (optional elements present and absent, prefixes, default namespace) and
 * schema-invalid ones, is first validated with xmllint against paForNode.xsd, then sent to the service
 * over HTTP; the service must accept (answer anything but a syntax fault) exactly the valid ones.
 *
 * The specs live beside the project (../shared/specs); without them this suite is skipped.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PA_FOR_NODE_NS,
  getPaymentRequest,
  parseResponse,
  sendRtRequest,
  verifyRequest,
  type Caller,
  type Receipt,
} from '../../src/adapters/pagopa/pa-for-node-soap.js';
import { createHarness, testCreditor, type Harness } from '../support/harness.js';
import { bodyRoot, validateAgainstXsd, xsdImportsOf } from '../support/xsd.js';
import { soap } from '../payments/support.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const xsdPath = join(resolve(projectRoot, '../shared/specs/pagopa-api'), 'wsdl/xsd/paForNode.xsd');
const specsAvailable = existsSync(xsdPath);
if (!specsAvailable) {
  console.warn(
    `[pa-for-node-corpus] SKIPPED: ${xsdPath} not found ` +
      '(the official pagoPA specs are expected in ../shared/specs beside the project)',
  );
}

const caller: Caller = {
  idPA: testCreditor.fiscalCode,
  idBrokerPA: testCreditor.brokerId,
  idStation: testCreditor.stationId,
};
const qrCode = { fiscalCode: testCreditor.fiscalCode, noticeNumber: '301202500000122805' };
const subject = {
  type: 'G' as const,
  fiscalCode: '01234567890',
  fullName: 'Rossi & Figli <srl>',
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
  amount: '30.00',
  fiscalCodePA: testCreditor.fiscalCode,
  iban: testCreditor.iban,
  remittanceInformation: 'Contributo',
  transferCategory: '9/0301109AP',
};
const minimal: Receipt = {
  receiptId: 'corpus-r1',
  noticeNumber: qrCode.noticeNumber,
  fiscalCode: testCreditor.fiscalCode,
  outcome: 'OK',
  creditorReferenceId: qrCode.noticeNumber.slice(1),
  paymentAmount: '30.00',
  description: 'Contributo',
  companyName: 'ANAC',
  debtor: { type: 'F', fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' },
  transferList: [transfer],
  idPSP: 'PSP01',
  pspCompanyName: 'PSP',
  idChannel: 'PSP01_01',
  channelDescription: 'app',
};
const full: Receipt = {
  ...minimal,
  receiptId: 'corpus-r2',
  officeName: 'Ufficio contribuzioni',
  debtor: subject,
  transferList: [
    { ...transfer, amount: '20.00', companyName: 'ANAC', metadata: [{ key: 'lot', value: '1' }] },
    { ...transfer, idTransfer: 2, amount: '10.00' },
  ],
  pspFiscalCode: '00799960158',
  pspPartitaIVA: '00799960158',
  payer: subject,
  paymentMethod: 'creditCard',
  paymentNote: 'nota',
  fee: '1.50',
  primaryCiIncurredFee: '0.50',
  idBundle: 'b1',
  idCiBundle: 'cb1',
  paymentDateTime: '2026-03-02T10:15:30',
  applicationDate: '2026-03-02',
  transferDate: '2026-03-03',
  metadata: [{ key: 'channel', value: 'web' }],
  standIn: true,
};

const verify = verifyRequest(caller, qrCode);
const getV1 = getPaymentRequest('v1', caller, qrCode, '30.00');
const getV2 = getPaymentRequest('v2', caller, qrCode, '30.00');
const rtV1 = sendRtRequest('v1', caller, minimal);
const rtV2 = sendRtRequest('v2', caller, full);
const extras = { paymentNote: 'nota', transferType: 'POSTAL' as const, dueDate: '2026-04-30' };
const rootNs = `xmlns:pafn="${PA_FOR_NODE_NS}"`;

const corpus: [string, string][] = [
  // valid variants: every operation, optional elements present and absent
  ['verify', verify],
  ['getPayment v1 with amount', getV1],
  ['getPayment v1 without amount', getPaymentRequest('v1', caller, qrCode, undefined)],
  ['getPayment v1 with every optional element', getPaymentRequest('v1', caller, qrCode, '30.00', extras)],
  ['getPayment v1 optional elements, no amount', getPaymentRequest('v1', caller, qrCode, undefined, extras)],
  ['getPaymentV2 with amount', getV2],
  ['getPaymentV2 without amount', getPaymentRequest('v2', caller, qrCode, undefined)],
  [
    'getPaymentV2 only dueDate',
    getPaymentRequest('v2', caller, qrCode, undefined, { dueDate: '2026-04-30' }),
  ],
  ['sendRT v1 minimal receipt', rtV1],
  ['sendRT v1 full receipt', sendRtRequest('v1', caller, full)],
  ['sendRTV2 minimal receipt', sendRtRequest('v2', caller, minimal)],
  ['sendRTV2 full receipt', rtV2],
  [
    'sendRTV2 revenue stamp instead of IBAN',
    sendRtRequest('v2', caller, {
      ...minimal,
      transferList: [{ ...transfer, iban: '', mbdAttachment: 'PG1hcmNhPjwvbWFyY2E+' }],
    }),
  ],
  ['another prefix', verify.replace(/pafn:/g, 'ns1:').replace('xmlns:pafn=', 'xmlns:ns1=')],
  [
    'namespace declared on the Envelope',
    verify.replace(` ${rootNs}`, '').replace('<soapenv:Envelope ', `<soapenv:Envelope ${rootNs} `),
  ],
  [
    'default namespace, children reset to none',
    verify
      .replace(/pafn:/g, '')
      .replace(`xmlns:pafn="${PA_FOR_NODE_NS}"`, `xmlns="${PA_FOR_NODE_NS}"`)
      .replace(/<(idPA|idBrokerPA|idStation|qrCode)>/g, '<$1 xmlns="">'),
  ],
  ['with a SOAP Header', verify.replace('<soapenv:Body>', '<soapenv:Header/><soapenv:Body>')],
  ['amount with leading zero and blanks', getV2.replace('<amount>30.00', '<amount> 030.00 ')],
  ['standIn 1', rtV2.replace('<standIn>true', '<standIn>1')],
  // invalid variants
  ['root in another namespace', verify.replace(PA_FOR_NODE_NS, 'urn:wrong')],
  ['root in no namespace', verify.replace(/pafn:/g, '').replace(` ${rootNs}`, '')],
  [
    'default namespace that qualifies the children',
    verify.replace(/pafn:/g, '').replace(`xmlns:pafn="${PA_FOR_NODE_NS}"`, `xmlns="${PA_FOR_NODE_NS}"`),
  ],
  ['qualified child', verify.replace(/<(\/?)idPA>/g, '<$1pafn:idPA>')],
  ['attribute on a child', verify.replace('<idPA>', '<idPA lang="it">')],
  ['missing idStation', verify.replace(/<idStation>[^<]*<\/idStation>/, '')],
  ['unknown element', verify.replace('</qrCode>', '</qrCode><foo/>')],
  ['children out of order', verify.replace(/(<idPA>[^<]*<\/idPA>)(<idBrokerPA>[^<]*<\/idBrokerPA>)/, '$2$1')],
  ['notice number of 17 digits', verify.replace(qrCode.noticeNumber, qrCode.noticeNumber.slice(1))],
  ['amount 30.0', getV2.replace('<amount>30.00', '<amount>30.0')],
  ['amount 0,30', getV1.replace('<amount>30.00', '<amount>0,30')],
  [
    'transferType SWIFT',
    getPaymentRequest('v2', caller, qrCode, undefined, extras).replace('POSTAL', 'SWIFT'),
  ],
  ['dueDate 2026-02-29', getV1.replace('</amount>', '</amount><dueDate>2026-02-29</dueDate>')],
  ['amount twice', getV2.replace('</amount>', '</amount><amount>30.00</amount>')],
  ['receipt without transferCategory', rtV1.replace(/<transferCategory>[^<]*<\/transferCategory>/, '')],
  [
    'V2-only paymentNote in a v1 receipt',
    rtV1.replace('</channelDescription>', '</channelDescription><paymentNote>n</paymentNote>'),
  ],
  ['standIn yes', rtV2.replace('<standIn>true', '<standIn>yes')],
  ['idTransfer 6', rtV2.replace('<idTransfer>2<', '<idTransfer>6<')],
  ['a transfer of 0.00', rtV2.replace('<transferAmount>10.00', '<transferAmount>0.00')],
  ['country it', rtV2.replace('<country>IT', '<country>it')],
  ['six transfers', rtV1.replace(/(<transfer>.*<\/transfer>)/, (t) => t.repeat(6))],
  ['empty receipt', rtV1.replace(/<receipt>.*<\/receipt>/, '<receipt/>')],
];

describe.skipIf(!specsAvailable)(
  'paForNode requests: the service accepts exactly what paForNode.xsd accepts',
  () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness();
    });
    afterAll(() => h.close());

    it('every request of the corpus: xmllint first, then the service', async () => {
      const imports = xsdImportsOf(xsdPath);
      const verdicts: { name: string; xmllint: boolean; service: boolean; fault?: string }[] = [];
      for (const [name, xml] of corpus) {
        const schema = await validateAgainstXsd(bodyRoot(xml), xsdPath, imports);
        const answer = parseResponse((await soap(h, xml)).body);
        const fault = answer.fault?.faultCode;
        const syntax = fault === 'PAA_SINTASSI_EXTRAXSD' || fault === 'PAA_SINTASSI_XSD';
        verdicts.push({ name, xmllint: schema.valid, service: !syntax, ...(fault ? { fault } : {}) });
      }
      const disagreements = verdicts.filter((v) => v.xmllint !== v.service);
      expect(disagreements).toEqual([]);
      // the corpus covers both sides
      expect(verdicts.filter((v) => v.xmllint).length).toBeGreaterThanOrEqual(15);
      expect(verdicts.filter((v) => !v.xmllint).length).toBeGreaterThanOrEqual(15);
    }, 120_000);
  },
);
