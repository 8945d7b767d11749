import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  FDR_NAMESPACE,
  REPORTED_PAYMENT_OUTCOMES,
  buildReportingFlow,
  parseReportingFlow,
  type ReportedPayment,
  type ReportingFlow,
} from '../../src/adapters/pagopa/reporting-flow.js';
import { validateAgainstXsd, xsdImportsOf } from '../support/xsd.js';

/**
 * The XML written by buildReportingFlow validates against the official pagoPA schema
 * (FlussoRiversamento_1_0_4.xsd, checked by libxml2's xmllint compiled to WebAssembly), and
 * parseReportingFlow accepts and rejects the same documents the schema does.
 */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const specsDir = resolve(projectRoot, '../shared/specs');
const xsdPath = resolve(specsDir, 'pagopa-api/xsd-common/FlussoRiversamento_1_0_4.xsd');
const specsMissing = !existsSync(specsDir);
if (specsMissing) {
  console.warn(
    `reporting-flow XSD conformance skipped: ${specsDir} does not exist, so FlussoRiversamento_1_0_4.xsd ` +
      'is not available (the shared specs live next to the project, in ../shared/specs)',
  );
}

async function validate(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  return validateAgainstXsd(xml, xsdPath, xsdImportsOf(xsdPath));
}

const CREDITOR_CF = '97584460584';

function payment(overrides: Partial<ReportedPayment> = {}): ReportedPayment {
  return {
    iuv: '01202500000122805',
    receiptId: 'IUR-0001',
    amountCents: 3000,
    outcome: 0,
    outcomeDate: '2025-03-03',
    ...overrides,
  };
}

function flowOf(payments: ReportedPayment[], overrides: Partial<ReportingFlow> = {}): ReportingFlow {
  return {
    flowId: '2025-03-05BPPIITRRXXX-S0000001',
    flowDateTime: '2025-03-05T10:15:30',
    settlementId: 'SEPA-BONIFICO-0001',
    settlementDate: '2025-03-05',
    sender: { type: 'B', id: 'BPPIITRRXXX', name: 'Poste Italiane S.p.A.' },
    receiver: { type: 'G', id: CREDITOR_CF, name: 'Autorità Nazionale Anticorruzione' },
    bicOfBank: 'BITAITRRENT',
    totalPayments: payments.length,
    totalAmountCents: payments.reduce((s, p) => s + p.amountCents, 0),
    payments,
    ...overrides,
  };
}

const sample = flowOf([
  payment({ index: 1 }),
  payment({ iuv: '01202500000123806', receiptId: 'IUR-0002', amountCents: 29, outcome: 3 }),
  payment({
    iuv: '01202500000124807',
    receiptId: 'IUR-0003',
    index: 5,
    amountCents: 123_456_789,
    outcome: 9,
  }),
]);

describe.skipIf(specsMissing)('reporting flow against FlussoRiversamento_1_0_4.xsd (xmllint)', () => {
  async function expectValid(flow: ReportingFlow): Promise<string> {
    const xml = buildReportingFlow(flow);
    const result = await validate(xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    return xml;
  }

  it('the schema is the one expected (target namespace, qualified elements, no imports)', async () => {
    const { readFileSync } = await import('node:fs');
    const xsd = readFileSync(xsdPath, 'utf8');
    expect(xsd).toContain(`targetNamespace="${FDR_NAMESPACE}"`);
    expect(xsd).toContain('elementFormDefault="qualified"');
    expect(xsdImportsOf(xsdPath)).toEqual([]);
    const outcomes = [...xsd.matchAll(/<xsd:enumeration value="(\d)" \/>\s*<!-- Pagamento/g)].map(
      (m) => m[1],
    );
    expect(outcomes).toEqual(REPORTED_PAYMENT_OUTCOMES.map(String));
  });

  it('a flow with every optional element validates', async () => {
    await expectValid(sample);
  });

  it('a flow with no optional element validates', async () => {
    await expectValid(
      flowOf([payment()], {
        sender: { type: 'A', id: '07601' },
        receiver: { type: 'G', id: CREDITOR_CF },
        bicOfBank: undefined,
      }),
    );
  });

  it('edge values validate: bounds, every outcome, escaping, lengths, time zones', async () => {
    const xml = await expectValid(
      flowOf(
        [
          payment({ amountCents: 1, index: 1, outcome: 0, outcomeDate: '2024-02-29' }),
          payment({ amountCents: 99_999_999_999, index: 5, outcome: 3 }),
          payment({ iuv: 'I'.repeat(35), receiptId: 'R'.repeat(35), outcome: 9 }),
        ],
        {
          flowId: `${'a-Z_9'.repeat(7)}`,
          flowDateTime: '2025-12-31T23:59:59.999+01:00',
          settlementId: 'S'.repeat(35),
          sender: { type: 'G', id: 'X'.repeat(35), name: 'A&B' },
          receiver: {
            type: 'G',
            id: CREDITOR_CF,
            name: `<Autorità> & "ANAC" ${'x'.repeat(120)}`.slice(0, 140),
          },
          bicOfBank: 'B'.repeat(35),
          totalAmountCents: 0,
        },
      ),
    );
    expect(xml).toContain('<importoTotalePagamenti>0.00</importoTotalePagamenti>');
    expect(xml).toContain('<singoloImportoPagato>999999999.99</singoloImportoPagato>');
  });

  it('a flow of 2,000 payments validates and reads back', async () => {
    const payments = Array.from({ length: 2_000 }, (_, i) =>
      payment({
        iuv: `0120250${String(i).padStart(10, '0')}`,
        receiptId: `IUR${i}`,
        index: (i % 5) + 1,
        amountCents: 1 + ((i * 7919) % 100_000),
        outcome: REPORTED_PAYMENT_OUTCOMES[i % REPORTED_PAYMENT_OUTCOMES.length] ?? 0,
      }),
    );
    const flow = flowOf(payments);
    const xml = await expectValid(flow);
    expect(parseReportingFlow(xml)).toEqual({ ok: true, flow });
  });

  describe('the parser accepts exactly what the schema accepts', () => {
    const base = buildReportingFlow(sample);
    const prefixed = base
      .replace(/<(\/?)([A-Za-z]\w*)/g, '<$1pay_i:$2')
      .replace(`xmlns="${FDR_NAMESPACE}"`, `xmlns:pay_i="${FDR_NAMESPACE}"`);
    const sub = (search: string | RegExp, replacement: string) => base.replace(search, replacement);
    const amount1 = (value: string) => sub('<singoloImportoPagato>30.00<', `<singoloImportoPagato>${value}<`);

    const accepted: [string, string][] = [
      ['prefixed elements', prefixed],
      [
        'xsi:schemaLocation on the root',
        sub(
          `xmlns="${FDR_NAMESPACE}"`,
          `xmlns="${FDR_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${FDR_NAMESPACE} FlussoRiversamento_1_0_4.xsd"`,
        ),
      ],
      ['versioneOggetto 1.1', sub('<versioneOggetto>1.0<', '<versioneOggetto>1.1<')],
      ['amount with leading zeros', amount1('0030.00')],
      ['amount surrounded by whitespace', amount1(' 30.00\n')],
      ['date with a time zone', sub('<dataRegolamento>2025-03-05<', '<dataRegolamento>2025-03-05+01:00<')],
      ['count with a sign', sub('<numeroTotalePagamenti>3<', '<numeroTotalePagamenti>+3<')],
      ['count with a zero fraction', sub('<numeroTotalePagamenti>3<', '<numeroTotalePagamenti>3.0<')],
      ['count with leading zeros', sub('<numeroTotalePagamenti>3<', '<numeroTotalePagamenti>003<')],
      ['index with a sign', sub('<indiceDatiSingoloPagamento>1<', '<indiceDatiSingoloPagamento>+1<')],
      [
        'CDATA and character references',
        sub(
          '<denominazioneMittente>Poste Italiane S.p.A.<',
          '<denominazioneMittente><![CDATA[P&T]]> &#233;&#x20AC;<',
        ),
      ],
      [
        'a comment inside a value',
        sub('<identificativoFlusso>2025', '<identificativoFlusso><!-- id -->2025'),
      ],
    ];

    const rejected: [string, string][] = [
      ...['12.345', '-1.00', 'abc', '0.00', '1000000000.00', '30', '30.0', '+30.00'].map(
        (v): [string, string] => [`amount '${v}'`, amount1(v)],
      ),
      ...['4', '8', '1', '00'].map((v): [string, string] => [
        `outcome '${v}'`,
        sub('<codiceEsitoSingoloPagamento>0<', `<codiceEsitoSingoloPagamento>${v}<`),
      ]),
      ['missing identificativoFlusso', sub(/\s*<identificativoFlusso>[^<]*<\/identificativoFlusso>/, '')],
      ['missing datiSingoliPagamenti', sub(/\s*<datiSingoliPagamenti>[\s\S]*<\/datiSingoliPagamenti>/, '')],
      [
        'missing sender id',
        sub(/\s*<identificativoUnivocoMittente>[\s\S]*?<\/identificativoUnivocoMittente>/, ''),
      ],
      [
        'elements out of order',
        sub(
          /(\s*<dataOraFlusso>[^<]*<\/dataOraFlusso>)(\s*<identificativoUnivocoRegolamento>[^<]*<\/identificativoUnivocoRegolamento>)/,
          '$2$1',
        ),
      ],
      [
        'BIC after the receiver',
        sub(
          /(\s*<codiceBicBancaDiRiversamento>[^<]*<\/codiceBicBancaDiRiversamento>)(\s*<istitutoRicevente>[\s\S]*<\/istitutoRicevente>)/,
          '$2$1',
        ),
      ],
      ['repeated element', sub(/(<dataRegolamento>[^<]*<\/dataRegolamento>)/, '$1$1')],
      ['unknown element', sub('</datiSingoliPagamenti>', '<nota>x</nota></datiSingoliPagamenti>')],
      ['unknown attribute', sub('<numeroTotalePagamenti>', '<numeroTotalePagamenti valuta="EUR">')],
      ['no namespace', sub(` xmlns="${FDR_NAMESPACE}"`, '')],
      ['other namespace', sub(FDR_NAMESPACE, 'http://www.digitpa.gov.it/schemas/2011/Pagamenti')],
      ['unqualified child', sub('<dataRegolamento>', '<dataRegolamento xmlns="">')],
      ['index 6', sub('<indiceDatiSingoloPagamento>5<', '<indiceDatiSingoloPagamento>6<')],
      ['index 0', sub('<indiceDatiSingoloPagamento>1<', '<indiceDatiSingoloPagamento>0<')],
      ['impossible date', sub('<dataRegolamento>2025-03-05<', '<dataRegolamento>2025-02-30<')],
      [
        'date-time with a space',
        sub('<dataOraFlusso>2025-03-05T10:15:30<', '<dataOraFlusso>2025-03-05 10:15:30<'),
      ],
      ['flow id with a space', sub('<identificativoFlusso>2025-03-05', '<identificativoFlusso>2025 03 05')],
      [
        'flow id of 36 characters',
        sub(/<identificativoFlusso>[^<]*</, `<identificativoFlusso>${'F'.repeat(36)}<`),
      ],
      ['sender type X', sub('<tipoIdentificativoUnivoco>B<', '<tipoIdentificativoUnivoco>X<')],
      ['receiver type B', sub('<tipoIdentificativoUnivoco>G<', '<tipoIdentificativoUnivoco>B<')],
      ['sender name of 2 characters', sub(/<denominazioneMittente>[^<]*</, '<denominazioneMittente>PT<')],
      ['empty BIC', sub(/<codiceBicBancaDiRiversamento>[^<]*</, '<codiceBicBancaDiRiversamento><')],
      [
        'IUV of 36 characters',
        sub(
          '<identificativoUnivocoVersamento>01202500000122805<',
          `<identificativoUnivocoVersamento>${'1'.repeat(36)}<`,
        ),
      ],
      ['count of 16 digits', sub('<numeroTotalePagamenti>3<', `<numeroTotalePagamenti>${'1'.repeat(16)}<`)],
      ['count 0', sub('<numeroTotalePagamenti>3<', '<numeroTotalePagamenti>0<')],
      [
        'element inside a value',
        sub('<identificativoUnivocoRiscossione>IUR-0001<', '<identificativoUnivocoRiscossione><b>IUR</b><'),
      ],
    ];

    it.each(accepted)('accepted by both: %s', async (_name, xml) => {
      expect(xml).not.toBe(base);
      const schema = await validate(xml);
      expect(schema.errors).toEqual([]);
      const parsed = parseReportingFlow(xml);
      expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    });

    it.each(rejected)('rejected by both: %s', async (_name, xml) => {
      expect(xml).not.toBe(base);
      const schema = await validate(xml);
      expect(schema.valid).toBe(false);
      expect(parseReportingFlow(xml).ok).toBe(false);
    });
  });
});
