import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/shared/errors.js';
import {
  FDR_NAMESPACE,
  MAX_REPORTED_ERRORS,
  buildReportingFlow,
  parseReportingFlow,
  type ParsedFlow,
  type ReportedPayment,
  type ReportingFlow,
} from './reporting-flow.js';

const CREDITOR_CF = '97584460584';

function sampleFlow(overrides: Partial<ReportingFlow> = {}): ReportingFlow {
  const payments: ReportedPayment[] = [
    {
      iuv: '01202500000122805',
      receiptId: 'IUR-0001',
      index: 1,
      amountCents: 3000,
      outcome: 0,
      outcomeDate: '2025-03-03',
    },
    {
      iuv: '01202500000123806',
      receiptId: 'IUR-0002',
      amountCents: 29,
      outcome: 3,
      outcomeDate: '2025-03-03',
    },
    {
      iuv: '01202500000124807',
      receiptId: 'IUR-0003',
      index: 5,
      amountCents: 123_456_789,
      outcome: 9,
      outcomeDate: '2025-03-04',
    },
  ];
  return {
    flowId: '2025-03-05BPPIITRRXXX-S0000001',
    flowDateTime: '2025-03-05T10:15:30',
    settlementId: 'SEPA-BONIFICO-0001',
    settlementDate: '2025-03-05',
    sender: { type: 'B', id: 'BPPIITRRXXX', name: 'Poste Italiane & C. <PSP>' },
    receiver: { type: 'G', id: CREDITOR_CF, name: 'Autorità Nazionale Anticorruzione' },
    bicOfBank: 'BITAITRRENT',
    totalPayments: payments.length,
    totalAmountCents: payments.reduce((s, p) => s + p.amountCents, 0),
    payments,
    ...overrides,
  };
}

function errorsOf(result: ParsedFlow): string[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors;
}

/** Replaces the n-th (1-based) occurrence of `search` in `xml`. */
function replaceNth(xml: string, search: string | RegExp, replacement: string, n = 1): string {
  const re = new RegExp(
    typeof search === 'string' ? search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : search,
    'g',
  );
  let seen = 0;
  const out = xml.replace(re, (m) => (++seen === n ? replacement : m));
  expect(seen).toBeGreaterThanOrEqual(n);
  return out;
}

function withAmount(xml: string, position: number, amount: string): string {
  return replaceNth(
    xml,
    /<singoloImportoPagato>[^<]*<\/singoloImportoPagato>/,
    `<singoloImportoPagato>${amount}</singoloImportoPagato>`,
    position,
  );
}

describe('buildReportingFlow / parseReportingFlow round trip', () => {
  it('parses what build produces', () => {
    const flow = sampleFlow();
    const xml = buildReportingFlow(flow);
    expect(xml).toContain(`<FlussoRiversamento xmlns="${FDR_NAMESPACE}">`);
    expect(xml).toContain('<importoTotalePagamenti>1234598.18</importoTotalePagamenti>');
    expect(xml).toContain('<singoloImportoPagato>0.29</singoloImportoPagato>');
    expect(xml).toContain('Poste Italiane &amp; C. &lt;PSP&gt;');
    expect(parseReportingFlow(xml)).toEqual({ ok: true, flow });
  });

  it('round-trips a flow without the optional elements', () => {
    const flow = sampleFlow({
      sender: { type: 'A', id: '07601' },
      receiver: { type: 'G', id: CREDITOR_CF },
      bicOfBank: undefined,
      payments: [{ iuv: 'A', receiptId: 'B', amountCents: 1, outcome: 0, outcomeDate: '2024-02-29' }],
      totalPayments: 1,
      totalAmountCents: 1,
    });
    delete flow.bicOfBank;
    const xml = buildReportingFlow(flow);
    expect(xml).not.toContain('codiceBicBancaDiRiversamento');
    expect(xml).not.toContain('denominazione');
    expect(xml).not.toContain('indiceDatiSingoloPagamento');
    const parsed = parseReportingFlow(xml);
    expect(parsed).toEqual({ ok: true, flow });
    expect(parsed.ok && 'bicOfBank' in parsed.flow).toBe(false);
  });

  it('refuses to build a flow the schema would reject', () => {
    const bad = (overrides: Partial<ReportingFlow>) => () => buildReportingFlow(sampleFlow(overrides));
    expect(bad({ flowId: 'has spaces' })).toThrow(/identificativoFlusso/);
    expect(bad({ settlementDate: '05/03/2025' })).toThrow(/dataRegolamento/);
    expect(bad({ receiver: { type: 'B', id: CREDITOR_CF } })).toThrow(/istitutoRicevente/);
    expect(bad({ sender: { type: 'B', id: 'X', name: 'ab' } })).toThrow(/denominazioneMittente/);
    expect(bad({ payments: [] })).toThrow(/datiSingoliPagamenti/);
    expect(bad({ totalAmountCents: 10.5 })).toThrow(/importoTotalePagamenti/);
    const payment = sampleFlow().payments[0] as ReportedPayment;
    expect(bad({ payments: [{ ...payment, amountCents: 0 }] })).toThrow(
      /datiSingoliPagamenti\[1\]\/singoloImportoPagato/,
    );
    expect(bad({ payments: [{ ...payment, index: 6 }] })).toThrow(/indiceDatiSingoloPagamento/);
    expect(bad({ payments: [{ ...payment, outcome: 4 as 0 }] })).toThrow(/codiceEsitoSingoloPagamento/);
    expect(bad({ payments: [{ ...payment, iuv: 'x'.repeat(36) }] })).toThrow(
      /identificativoUnivocoVersamento/,
    );
  });

  it('builds flows whose totals do not add up (the parser catches them)', () => {
    expect(() => buildReportingFlow(sampleFlow({ totalPayments: 99 }))).not.toThrow();
  });
});

describe('parseReportingFlow', () => {
  it('reads a flow with several payments and outcomes, prefixed namespace and entities', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- reporting flow from the PSP -->
<pay_i:FlussoRiversamento xmlns:pay_i="${FDR_NAMESPACE}"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="${FDR_NAMESPACE} FlussoRiversamento_1_0_4.xsd">
  <pay_i:versioneOggetto>1.1</pay_i:versioneOggetto>
  <pay_i:identificativoFlusso>2025-03-05ABI07601-S01</pay_i:identificativoFlusso>
  <pay_i:dataOraFlusso>2025-03-05T10:15:30.250+01:00</pay_i:dataOraFlusso>
  <pay_i:identificativoUnivocoRegolamento>
    TRN 1234
  </pay_i:identificativoUnivocoRegolamento>
  <pay_i:dataRegolamento>2025-03-06Z</pay_i:dataRegolamento>
  <pay_i:istitutoMittente>
    <pay_i:identificativoUnivocoMittente>
      <pay_i:tipoIdentificativoUnivoco>A</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco>07601</pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoMittente>
    <pay_i:denominazioneMittente>Banca &quot;Uno&quot; &amp; Figli &#233;</pay_i:denominazioneMittente>
  </pay_i:istitutoMittente>
  <pay_i:istitutoRicevente>
    <pay_i:identificativoUnivocoRicevente>
      <pay_i:tipoIdentificativoUnivoco>G</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco><![CDATA[${CREDITOR_CF}]]></pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoRicevente>
  </pay_i:istitutoRicevente>
  <pay_i:numeroTotalePagamenti>4</pay_i:numeroTotalePagamenti>
  <pay_i:importoTotalePagamenti>0100.30</pay_i:importoTotalePagamenti>
  <pay_i:datiSingoliPagamenti>
    <pay_i:identificativoUnivocoVersamento>IUV1</pay_i:identificativoUnivocoVersamento>
    <pay_i:identificativoUnivocoRiscossione>IUR1</pay_i:identificativoUnivocoRiscossione>
    <pay_i:indiceDatiSingoloPagamento>1</pay_i:indiceDatiSingoloPagamento>
    <pay_i:singoloImportoPagato>0.10</pay_i:singoloImportoPagato>
    <pay_i:codiceEsitoSingoloPagamento>0</pay_i:codiceEsitoSingoloPagamento>
    <pay_i:dataEsitoSingoloPagamento>2025-03-01</pay_i:dataEsitoSingoloPagamento>
  </pay_i:datiSingoliPagamenti>
  <pay_i:datiSingoliPagamenti>
    <pay_i:identificativoUnivocoVersamento>IUV1</pay_i:identificativoUnivocoVersamento>
    <pay_i:identificativoUnivocoRiscossione>IUR1</pay_i:identificativoUnivocoRiscossione>
    <pay_i:indiceDatiSingoloPagamento>+2</pay_i:indiceDatiSingoloPagamento>
    <pay_i:singoloImportoPagato>0.20</pay_i:singoloImportoPagato>
    <pay_i:codiceEsitoSingoloPagamento>0</pay_i:codiceEsitoSingoloPagamento>
    <pay_i:dataEsitoSingoloPagamento>2025-03-01</pay_i:dataEsitoSingoloPagamento>
  </pay_i:datiSingoliPagamenti>
  <datiSingoliPagamenti xmlns="${FDR_NAMESPACE}">
    <identificativoUnivocoVersamento>IUV2</identificativoUnivocoVersamento>
    <identificativoUnivocoRiscossione>IUR2</identificativoUnivocoRiscossione>
    <singoloImportoPagato>70.00</singoloImportoPagato>
    <codiceEsitoSingoloPagamento>3</codiceEsitoSingoloPagamento>
    <dataEsitoSingoloPagamento>2025-03-02</dataEsitoSingoloPagamento>
  </datiSingoliPagamenti>
  <pay_i:datiSingoliPagamenti>
    <pay_i:identificativoUnivocoVersamento>IUV3</pay_i:identificativoUnivocoVersamento>
    <pay_i:identificativoUnivocoRiscossione>IUR3</pay_i:identificativoUnivocoRiscossione>
    <pay_i:singoloImportoPagato>30.00</pay_i:singoloImportoPagato>
    <pay_i:codiceEsitoSingoloPagamento>9</pay_i:codiceEsitoSingoloPagamento>
    <pay_i:dataEsitoSingoloPagamento>2025-03-03</pay_i:dataEsitoSingoloPagamento>
  </pay_i:datiSingoliPagamenti>
</pay_i:FlussoRiversamento>`;
    expect(parseReportingFlow(xml)).toEqual({
      ok: true,
      flow: {
        flowId: '2025-03-05ABI07601-S01',
        flowDateTime: '2025-03-05T10:15:30.250+01:00',
        settlementId: 'TRN 1234',
        settlementDate: '2025-03-06',
        sender: { type: 'A', id: '07601', name: 'Banca "Uno" & Figli é' },
        receiver: { type: 'G', id: CREDITOR_CF },
        totalPayments: 4,
        totalAmountCents: 10_030,
        payments: [
          {
            iuv: 'IUV1',
            receiptId: 'IUR1',
            index: 1,
            amountCents: 10,
            outcome: 0,
            outcomeDate: '2025-03-01',
          },
          {
            iuv: 'IUV1',
            receiptId: 'IUR1',
            index: 2,
            amountCents: 20,
            outcome: 0,
            outcomeDate: '2025-03-01',
          },
          { iuv: 'IUV2', receiptId: 'IUR2', amountCents: 7000, outcome: 3, outcomeDate: '2025-03-02' },
          { iuv: 'IUV3', receiptId: 'IUR3', amountCents: 3000, outcome: 9, outcomeDate: '2025-03-03' },
        ],
      },
    });
  });

  it('converts amounts exactly, without floating point', () => {
    const amounts: [string, number][] = [
      ['0.29', 29],
      ['0.57', 57],
      ['1.15', 115],
      ['4.35', 435],
      ['1234567.89', 123_456_789],
      ['999999999.99', 99_999_999_999],
      ['000000000000012.30', 1230],
    ];
    for (const [text, cents] of amounts) {
      const flow = sampleFlow({
        payments: [{ iuv: 'A', receiptId: 'B', amountCents: cents, outcome: 0, outcomeDate: '2025-01-01' }],
        totalPayments: 1,
        totalAmountCents: cents,
      });
      const xml = withAmount(buildReportingFlow(flow), 1, text).replace(
        /<importoTotalePagamenti>[^<]*</,
        `<importoTotalePagamenti>${text}<`,
      );
      const parsed = parseReportingFlow(xml);
      expect(parsed.ok && parsed.flow.payments[0]?.amountCents).toBe(cents);
      expect(parsed.ok && parsed.flow.totalAmountCents).toBe(cents);
    }
  });

  describe('totals', () => {
    it('reports a count that does not match, naming numeroTotalePagamenti', () => {
      const errors = errorsOf(parseReportingFlow(buildReportingFlow(sampleFlow({ totalPayments: 4 }))));
      expect(errors).toEqual([
        'numeroTotalePagamenti: declares 4 payments but the flow contains 3 (datiSingoliPagamenti)',
      ]);
    });

    it('reports a sum that does not match, naming importoTotalePagamenti', () => {
      const flow = sampleFlow();
      const errors = errorsOf(
        parseReportingFlow(buildReportingFlow({ ...flow, totalAmountCents: flow.totalAmountCents - 1 })),
      );
      expect(errors).toEqual([
        'importoTotalePagamenti: declares 1234598.17 but the single payments (singoloImportoPagato) add up to 1234598.18',
      ]);
    });

    it('reports both when both are wrong', () => {
      const errors = errorsOf(
        parseReportingFlow(buildReportingFlow(sampleFlow({ totalPayments: 2, totalAmountCents: 1 }))),
      );
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(/^numeroTotalePagamenti: /);
      expect(errors[1]).toMatch(/^importoTotalePagamenti: /);
    });

    it('rejects declared totals that are not valid values', () => {
      const xml = buildReportingFlow(sampleFlow());
      expect(
        errorsOf(parseReportingFlow(xml.replace(/<numeroTotalePagamenti>3</, '<numeroTotalePagamenti>0<'))),
      ).toEqual(["numeroTotalePagamenti: '0' must be at least 1"]);
      expect(
        errorsOf(parseReportingFlow(xml.replace(/<numeroTotalePagamenti>3</, '<numeroTotalePagamenti>3.5<'))),
      ).toEqual(["numeroTotalePagamenti: '3.5' is not a whole number"]);
      expect(
        errorsOf(
          parseReportingFlow(
            xml.replace(/<importoTotalePagamenti>[^<]*</, '<importoTotalePagamenti>1234598.1<'),
          ),
        )[0],
      ).toMatch(/^importoTotalePagamenti: '1234598.1' is not a valid amount/);
    });
  });

  describe('missing and misplaced elements', () => {
    const xml = buildReportingFlow(sampleFlow());

    it('names a missing top-level element', () => {
      const errors = errorsOf(
        parseReportingFlow(xml.replace(/\s*<identificativoFlusso>[^<]*<\/identificativoFlusso>/, '')),
      );
      expect(errors).toEqual(['identificativoFlusso: missing']);
    });

    it('names a missing element of a payment with its position', () => {
      const stripped = replaceNth(xml, /\s*<singoloImportoPagato>[^<]*<\/singoloImportoPagato>/, '', 2);
      expect(errorsOf(parseReportingFlow(stripped))).toEqual([
        'datiSingoliPagamenti[2]/singoloImportoPagato: missing',
      ]);
    });

    it('names missing nested elements', () => {
      const stripped = xml.replace(
        /\s*<codiceIdentificativoUnivoco>97584460584<\/codiceIdentificativoUnivoco>/,
        '',
      );
      expect(errorsOf(parseReportingFlow(stripped))).toEqual([
        'istitutoRicevente/identificativoUnivocoRicevente/codiceIdentificativoUnivoco: missing',
      ]);
      const noSender = xml.replace(/\s*<istitutoMittente>[\s\S]*<\/istitutoMittente>/, '');
      expect(errorsOf(parseReportingFlow(noSender))).toEqual(['istitutoMittente: missing']);
    });

    it('requires at least one payment', () => {
      const none = xml.replace(/\s*<datiSingoliPagamenti>[\s\S]*<\/datiSingoliPagamenti>/, '');
      expect(errorsOf(parseReportingFlow(none))).toEqual(['datiSingoliPagamenti: missing']);
    });

    it('reports elements out of order, repeated or unknown', () => {
      const swapped = xml.replace(
        /(\s*<dataOraFlusso>[^<]*<\/dataOraFlusso>)(\s*<identificativoUnivocoRegolamento>[^<]*<\/identificativoUnivocoRegolamento>)/,
        '$2$1',
      );
      expect(errorsOf(parseReportingFlow(swapped))).toEqual([
        "dataOraFlusso: element out of order: must come before 'identificativoUnivocoRegolamento'",
      ]);
      const twice = xml.replace(/(<identificativoFlusso>[^<]*<\/identificativoFlusso>)/, '$1$1');
      expect(errorsOf(parseReportingFlow(twice))).toEqual([
        'identificativoFlusso: appears 2 times, at most once allowed',
      ]);
      const unknown = replaceNth(xml, '</datiSingoliPagamenti>', '<nota>x</nota></datiSingoliPagamenti>', 3);
      expect(errorsOf(parseReportingFlow(unknown))).toEqual([
        "datiSingoliPagamenti[3]: unexpected element 'nota'",
      ]);
      const text = xml.replace('<istitutoMittente>', '<istitutoMittente>stray');
      expect(errorsOf(parseReportingFlow(text))).toEqual(['istitutoMittente: unexpected text content']);
      const attr = xml.replace('<numeroTotalePagamenti>', '<numeroTotalePagamenti currency="EUR">');
      expect(errorsOf(parseReportingFlow(attr))).toEqual([
        "numeroTotalePagamenti: unexpected attribute 'currency'",
      ]);
    });

    it('requires the schema namespace on every element', () => {
      const noNs = xml.replace(` xmlns="${FDR_NAMESPACE}"`, '');
      expect(errorsOf(parseReportingFlow(noNs))).toEqual([
        `FlussoRiversamento: the root element must be in namespace ${FDR_NAMESPACE} (is in no namespace)`,
      ]);
      const otherNs = xml.replace(FDR_NAMESPACE, 'http://example.org/');
      expect(errorsOf(parseReportingFlow(otherNs))[0]).toMatch(/^FlussoRiversamento: .*namespace/);
      const childOutside = xml.replace(/<dataRegolamento>/, '<dataRegolamento xmlns="">');
      expect(errorsOf(parseReportingFlow(childOutside))).toEqual([
        `dataRegolamento: element must be in namespace ${FDR_NAMESPACE} (is in no namespace)`,
      ]);
      const undeclared = xml.replace(
        /<dataRegolamento>([^<]*)<\/dataRegolamento>/,
        '<p:dataRegolamento>$1</p:dataRegolamento>',
      );
      expect(errorsOf(parseReportingFlow(undeclared))).toEqual([
        "p:dataRegolamento: namespace prefix 'p' is not declared",
      ]);
      const wrongRoot = `<Flusso xmlns="${FDR_NAMESPACE}"/>`;
      expect(errorsOf(parseReportingFlow(wrongRoot))).toEqual([
        "FlussoRiversamento: missing, the root element is 'Flusso'",
      ]);
    });
  });

  describe('values', () => {
    const xml = buildReportingFlow(sampleFlow());

    it.each(['12.345', '-1.00', 'abc', '12', '12.3', '1,00', '+1.00', ' ', '1e2', '12.34.56'])(
      "rejects the amount '%s', naming the payment",
      (amount) => {
        const errors = errorsOf(parseReportingFlow(withAmount(xml, 2, amount)));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/^datiSingoliPagamenti\[2\]\/singoloImportoPagato: /);
        if (amount.trim() !== '') expect(errors[0]).toContain(`'${amount}'`);
      },
    );

    it('rejects amounts out of range', () => {
      expect(errorsOf(parseReportingFlow(withAmount(xml, 1, '0.00')))).toEqual([
        "datiSingoliPagamenti[1]/singoloImportoPagato: '0.00' is below the minimum amount 0.01",
      ]);
      expect(errorsOf(parseReportingFlow(withAmount(xml, 3, '1000000000.00')))).toEqual([
        "datiSingoliPagamenti[3]/singoloImportoPagato: '1000000000.00' exceeds the maximum amount 999999999.99",
      ]);
    });

    it('accepts only the outcomes the schema enumerates (0, 3, 9)', () => {
      for (const code of ['4', '8', '1', '03', 'X']) {
        const bad = replaceNth(
          xml,
          /<codiceEsitoSingoloPagamento>\d<\/codiceEsitoSingoloPagamento>/,
          `<codiceEsitoSingoloPagamento>${code}</codiceEsitoSingoloPagamento>`,
          2,
        );
        expect(errorsOf(parseReportingFlow(bad))).toEqual([
          `datiSingoliPagamenti[2]/codiceEsitoSingoloPagamento: '${code}' is not an allowed outcome (0, 3, 9)`,
        ]);
      }
    });

    it('checks the other simple types', () => {
      const cases: [RegExp, string, string][] = [
        [/<dataRegolamento>[^<]*</, '<dataRegolamento>2025-02-29<', 'dataRegolamento'],
        [/<dataOraFlusso>[^<]*</, '<dataOraFlusso>2025-03-05 10:15:30<', 'dataOraFlusso'],
        [/<identificativoFlusso>[^<]*</, '<identificativoFlusso>flow/1<', 'identificativoFlusso'],
        [/<versioneOggetto>[^<]*</, '<versioneOggetto>2.0<', 'versioneOggetto'],
        [
          /<tipoIdentificativoUnivoco>B</,
          '<tipoIdentificativoUnivoco>X<',
          'istitutoMittente/identificativoUnivocoMittente/tipoIdentificativoUnivoco',
        ],
        [
          /<tipoIdentificativoUnivoco>G</,
          '<tipoIdentificativoUnivoco>A<',
          'istitutoRicevente/identificativoUnivocoRicevente/tipoIdentificativoUnivoco',
        ],
        [
          /<denominazioneMittente>[^<]*</,
          '<denominazioneMittente>PT<',
          'istitutoMittente/denominazioneMittente',
        ],
        [
          /<codiceBicBancaDiRiversamento>[^<]*</,
          '<codiceBicBancaDiRiversamento><',
          'codiceBicBancaDiRiversamento',
        ],
        [
          /<indiceDatiSingoloPagamento>5</,
          '<indiceDatiSingoloPagamento>6<',
          'datiSingoliPagamenti[3]/indiceDatiSingoloPagamento',
        ],
        [
          /<identificativoUnivocoRiscossione>IUR-0002</,
          `<identificativoUnivocoRiscossione>${'R'.repeat(36)}<`,
          'datiSingoliPagamenti[2]/identificativoUnivocoRiscossione',
        ],
        [
          /<dataEsitoSingoloPagamento>2025-03-04</,
          '<dataEsitoSingoloPagamento>04/03/2025<',
          'datiSingoliPagamenti[3]/dataEsitoSingoloPagamento',
        ],
        [
          /<identificativoUnivocoVersamento>01202500000122805</,
          '<identificativoUnivocoVersamento><b>x</b><',
          'datiSingoliPagamenti[1]/identificativoUnivocoVersamento',
        ],
        [/Poste Italiane &amp;/, 'Poste Italiane &nbsp;', 'istitutoMittente/denominazioneMittente'],
      ];
      for (const [search, replacement, element] of cases) {
        const errors = errorsOf(parseReportingFlow(xml.replace(search, replacement)));
        expect(errors, replacement).toHaveLength(1);
        expect(errors[0], replacement).toMatch(new RegExp(`^${element.replace(/[[\]]/g, '\\$&')}: `));
      }
    });

    it('keeps the other errors when the amounts cannot be summed', () => {
      const errors = errorsOf(parseReportingFlow(withAmount(withAmount(xml, 1, 'abc'), 3, '-1')));
      expect(errors.map((e) => e.split(':')[0])).toEqual([
        'datiSingoliPagamenti[1]/singoloImportoPagato',
        'datiSingoliPagamenti[3]/singoloImportoPagato',
      ]);
    });
  });

  describe('garbage', () => {
    const garbage: unknown[] = [
      '',
      '   \n ',
      '\uFEFF',
      'abc',
      '{"flowId": "x"}',
      '<',
      '<FlussoRiversamento',
      `<FlussoRiversamento xmlns="${FDR_NAMESPACE}">`,
      `<FlussoRiversamento xmlns="${FDR_NAMESPACE}"/>`,
      `<FlussoRiversamento xmlns="${FDR_NAMESPACE}"></FlussoRiversamento><x/>`,
      '<?xml version="1.0"?>',
      '<a><b></a></b>',
      '<a>&undefined;</a>',
      '\u0000\u0001\u0002',
      '<constructor/>',
      '<__proto__><x/></__proto__>',
      '<a>'.repeat(5000),
      'x'.repeat(100_000),
      null,
      undefined,
      42,
      {},
    ];
    it.each(garbage.map((g, i) => [i, g]))(
      'returns errors, or refuses over the limits (#%i)',
      (_i, input) => {
        let result: ReturnType<typeof parseReportingFlow>;
        try {
          result = parseReportingFlow(input as string);
        } catch (error) {
          // the XML guard (xml-limits.ts) refuses oversized input before parsing: 413 naming the limit
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe('payload_too_large');
          expect((error as DomainError).message).toMatch(/^FlussoRiversamento: .*limit/);
          return;
        }
        expect(result.ok).toBe(false);
        expect(result.ok ? [] : result.errors).not.toHaveLength(0);
        for (const e of result.ok ? [] : result.errors) expect(e).toMatch(/^[\w[\]/:]+: /);
      },
    );

    it('says the empty document is empty', () => {
      expect(errorsOf(parseReportingFlow(''))).toEqual(['FlussoRiversamento: the document is empty']);
    });

    it('refuses DOCTYPEs, so no entity is expanded (billion laughs, external entities)', () => {
      const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<FlussoRiversamento xmlns="${FDR_NAMESPACE}"><versioneOggetto>&lol9;</versioneOggetto></FlussoRiversamento>`;
      const xxe = buildReportingFlow(sampleFlow())
        .replace(
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        )
        .replace('Poste Italiane', '&x;');
      for (const doc of [laughs, xxe]) {
        expect(errorsOf(parseReportingFlow(doc))).toEqual([
          'FlussoRiversamento: DOCTYPE declarations are not allowed (entities are never expanded)',
        ]);
      }
    });

    it('reports undefined entities and bad character references', () => {
      const xml = buildReportingFlow(sampleFlow());
      expect(errorsOf(parseReportingFlow(xml.replace('Poste Italiane', '&x;')))).toEqual([
        "istitutoMittente/denominazioneMittente: undefined entity '&x;' (only the predefined XML entities are allowed)",
      ]);
      expect(errorsOf(parseReportingFlow(xml.replace('Poste Italiane', '&constructor;')))).toEqual([
        "istitutoMittente/denominazioneMittente: undefined entity '&constructor;' (only the predefined XML entities are allowed)",
      ]);
      expect(errorsOf(parseReportingFlow(xml.replace('Poste Italiane', '&#0;')))).toEqual([
        "istitutoMittente/denominazioneMittente: invalid character reference '&#0;'",
      ]);
    });
  });

  describe('size', () => {
    function largeFlow(n: number): ReportingFlow {
      const payments: ReportedPayment[] = [];
      for (let i = 0; i < n; i++) {
        payments.push({
          iuv: `0120250${String(i).padStart(10, '0')}`,
          receiptId: `IUR${String(i).padStart(12, '0')}`,
          index: (i % 5) + 1,
          amountCents: 1 + ((i * 7919) % 500_000),
          outcome: i % 50 === 0 ? 3 : i % 97 === 0 ? 9 : 0,
          outcomeDate: `2025-03-${String((i % 28) + 1).padStart(2, '0')}`,
        });
      }
      return sampleFlow({
        payments,
        totalPayments: n,
        totalAmountCents: payments.reduce((s, p) => s + p.amountCents, 0),
      });
    }

    it('parses a flow of 10,000 payments with no quadratic step (seconds, not minutes, even on a busy machine)', () => {
      const flow = largeFlow(10_000);
      const xml = buildReportingFlow(flow);
      parseReportingFlow(buildReportingFlow(largeFlow(10))); // warm-up
      const started = performance.now();
      const parsed = parseReportingFlow(xml);
      const elapsed = performance.now() - started;
      expect(parsed.ok).toBe(true);
      expect(parsed.ok && parsed.flow.payments).toHaveLength(10_000);
      expect(parsed).toEqual({ ok: true, flow });
      // A complexity guard, not a speed target (bench/ measures speed): ~0.2 s here, minutes if quadratic.
      expect(elapsed).toBeLessThan(5000);
    });

    it('caps the number of errors it lists', () => {
      const xml = buildReportingFlow(largeFlow(2_000)).replace(
        /<singoloImportoPagato>[^<]*</g,
        '<singoloImportoPagato>abc<',
      );
      const errors = errorsOf(parseReportingFlow(xml));
      expect(errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
      expect(errors[MAX_REPORTED_ERRORS]).toBe(`… and ${2_000 - MAX_REPORTED_ERRORS} more errors`);
    });
  });
});
