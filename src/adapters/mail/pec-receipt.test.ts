import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { datiCertInstant, parseDatiCert, parsePecReceipt, type PecReceipt } from './pec-receipt.js';

const projectRoot = new URL('../../../', import.meta.url);
const samplesDir = fileURLToPath(new URL('../shared/specs/pec-samples/', projectRoot));
const samplesMissing = !existsSync(samplesDir);
if (samplesMissing) {
  console.warn(
    `PEC sample tests skipped: ${samplesDir} does not exist, so the go-pec and gcc-list daticert samples ` +
      'are not available (the shared specs live next to the project, in ../shared/specs)',
  );
}
const sample = (name: string): Buffer => readFileSync(samplesDir + name);

const STRAY_TEXT = "stray text 'a' inside <intestazione> (element-only content per the DTD)";

describe.skipIf(samplesMissing)('PEC receipts from the shared samples', () => {
  it('reads the acceptance receipt (go-pec accettazione.eml) with no problems', async () => {
    const r = await parsePecReceipt(sample('accettazione.go-pec.eml'));
    console.log('accettazione.go-pec.eml ->', JSON.stringify(r, null, 2));
    expect(r.kind).toBe('accettazione');
    expect(r.referenceMessageId).toBe('SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@fakepec.it');
    expect(r.problems).toEqual([]);
    expect(r.conformant).toBe(true);
    expect(r.subject).toBe('ACCETTAZIONE: Test PEC');
    expect(r.from).toBe('posta-certificata@fakepec.it');
    expect(r.date).toBe('Fri, 15 Nov 2024 18:20:38 +0100');
    expect(r.recipient).toBe('rec@fakepec.it');
    expect(r.datiCert).toEqual({
      tipo: 'accettazione',
      errore: 'nessuno',
      mittente: 'sender@fakepec.it',
      destinatari: [{ address: 'rec@fakepec.it', tipo: 'certificato' }],
      risposte: 'sender@fakepec.it',
      oggetto: 'Test PEC',
      gestoreEmittente: 'FAKEPEC PEC S.p.A.',
      data: { zona: '+0100', giorno: '15/11/2024', ora: '18:20:38' },
      at: '2024-11-15T17:20:38.000Z',
      identificativo: 'opec210312.20241115182038.288127.606.1.53@fakepec.it',
      msgid: '<SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@fakepec.it>',
      ricevuta: null,
      consegna: null,
      erroreEsteso: null,
    });
  });

  it('reads the non-delivery notice (go-pec consegna.eml): flagged non-conformant, every field still extracted', async () => {
    const r = await parsePecReceipt(sample('errore-consegna.go-pec.eml'));
    console.log('errore-consegna.go-pec.eml ->', JSON.stringify(r, null, 2));
    expect(r.kind).toBe('errore-consegna');
    expect(r.conformant).toBe(false);
    expect(r.problems.some((p) => p.includes(STRAY_TEXT))).toBe(true);
    // the sample's header and daticert.xml also name the original message differently (@pec.it vs @fakepec.it)
    expect(r.referenceMessageId).toBe('SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@pec.it');
    expect(r.problems).toContain(
      "X-Riferimento-Message-ID 'SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@pec.it' differs from " +
        "daticert.xml msgid 'SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@fakepec.it'",
    );
    expect(r.problems).toHaveLength(2);
    // consegna (rec@fakepec.it) wins over the first destinatario (rec@pec.it)
    expect(r.recipient).toBe('rec@fakepec.it');
    expect(r.subject).toBe('AVVISO DI MANCATA CONSEGNA: Test PEC');
    expect(r.date).toBe('Fri, 15 Nov 2024 18:21:03 +0100');
    expect(r.datiCert).toEqual({
      tipo: 'errore-consegna',
      errore: 'no-dest',
      mittente: 'sender@fakepec.it',
      destinatari: [{ address: 'rec@pec.it', tipo: 'certificato' }],
      risposte: 'sender@fakepec.it',
      oggetto: 'Test PEC',
      gestoreEmittente: 'FAKE PEC S.p.A.',
      data: { zona: '+0100', giorno: '15/11/2024', ora: '18:21:03' },
      at: '2024-11-15T17:21:03.000Z',
      identificativo: 'opec210312.20241115182038.288127.606.1.53@fakepec.it',
      msgid: '<SN05IE$951DEC16C1CFD3E4FD8FF1B1D24A99AE@fakepec.it>',
      ricevuta: null,
      consegna: 'rec@fakepec.it',
      erroreEsteso: '5.1.1 - FAKE Pec S.p.A. - indirizzo non valido',
    });
  });

  it('reads the transport-envelope daticert.xml from the gcc list archive', () => {
    const { datiCert, problems } = parseDatiCert(
      sample('daticert-posta-certificata.gcc-list.xml').toString('utf8'),
    );
    console.log(
      'daticert-posta-certificata.gcc-list.xml ->',
      JSON.stringify({ datiCert, problems }, null, 2),
    );
    expect(problems).toEqual([]);
    expect(datiCert?.tipo).toBe('posta-certificata');
    expect(datiCert).toMatchObject({
      errore: 'nessuno',
      mittente: '12976@pec2.federfarma.it',
      destinatari: [{ address: 'java@gcc.gnu.org', tipo: 'esterno' }],
      oggetto: 'Photos',
      gestoreEmittente: 'POSTECOM S.P.A. - GRUPPO POSTE ITALIANE',
      at: '2012-09-21T13:16:38.000Z',
      identificativo: 'E82D9D8F.000073B6.E8F90950.8520A581.posta-certificata@postecert.it',
      msgid: null,
      ricevuta: 'completa',
    });
  });

  it.each([
    ['accettazione.go-pec.eml', 'daticert-accettazione.go-pec.xml'],
    ['errore-consegna.go-pec.eml', 'daticert-errore-consegna.go-pec.xml'],
  ])('%s: the daticert.xml inside agrees with the decoded %s', async (eml, xml) => {
    const receipt = await parsePecReceipt(sample(eml));
    const direct = parseDatiCert(sample(xml).toString('utf8'));
    expect(receipt.datiCert).not.toBeNull();
    expect(receipt.datiCert).toEqual(direct.datiCert);
    for (const p of direct.problems) expect(receipt.problems).toContain(p);
  });

  it('the decoded errore-consegna daticert.xml fails the DTD on its own (stray text), yet yields every field', () => {
    const { datiCert, problems } = parseDatiCert(
      sample('daticert-errore-consegna.go-pec.xml').toString('utf8'),
    );
    expect(problems).toEqual([`daticert.xml: ${STRAY_TEXT}`]);
    expect(datiCert?.oggetto).toBe('Test PEC');
    expect(datiCert?.erroreEsteso).toBe('5.1.1 - FAKE Pec S.p.A. - indirizzo non valido');
  });
});

// ---------------------------------------------------------------------------------------------------
// synthetic messages

function base64Lines(text: string): string {
  return (
    Buffer.from(text, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
}

function daticert(opts: {
  tipo?: string;
  errore?: string;
  msgid?: string;
  consegna?: string;
  extraIntestazione?: string;
}): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<postacert tipo="${opts.tipo ?? 'avvenuta-consegna'}" errore="${opts.errore ?? 'nessuno'}">`,
    '  <intestazione>',
    '    <mittente>protocollo@pec.anac.example.it</mittente>',
    '    <destinatari tipo="certificato">Ufficio.Gare@PEC.Comune.Example.it</destinatari>',
    '    <destinatari tipo="esterno">rup@comune.example.it</destinatari>',
    '    <risposte>protocollo@pec.anac.example.it</risposte>',
    `    <oggetto>Avviso n. 42 &amp; allegati &#8211; CIG A0B1C2D3E4</oggetto>${opts.extraIntestazione ?? ''}`,
    '  </intestazione>',
    '  <dati>',
    '    <gestore-emittente>Gestore di prova S.p.A.</gestore-emittente>',
    '    <data zona="+0200">',
    '      <giorno>03/07/2025</giorno>',
    '      <ora>09:15:00</ora>',
    '    </data>',
    '    <identificativo>opec.20250703091500.1234@pec.gestore.example.it</identificativo>',
    `    <msgid>${opts.msgid ?? '&lt;abc@gara&gt;'}</msgid>`,
    '    <ricevuta tipo="completa"/>',
    `    <consegna>${opts.consegna ?? 'Ufficio.Gare@PEC.Comune.Example.it'}</consegna>`,
    '  </dati>',
    '</postacert>',
    '',
  ].join('\n');
}

/** A receipt shaped like a provider's: multipart/signed > multipart/mixed > (text, daticert.xml), p7s. */
function receiptMime(opts: {
  headers: string[];
  daticertXml?: string | null;
  daticertName?: string;
  extraMixedParts?: string[];
}): string {
  const parts = [...(opts.extraMixedParts ?? [])];
  if (opts.daticertXml !== null) {
    parts.push(
      [
        `Content-Type: application/xml; name="${opts.daticertName ?? 'daticert.xml'}"`,
        `Content-Disposition: inline; filename="${opts.daticertName ?? 'daticert.xml'}"`,
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(opts.daticertXml ?? daticert({})),
      ].join('\r\n'),
    );
  }
  return [
    ...opts.headers,
    'From: posta-certificata@pec.gestore.example.it',
    'To: protocollo@pec.anac.example.it',
    'Date: Thu, 03 Jul 2025 09:15:01 +0200',
    'MIME-Version: 1.0',
    'Content-Type: multipart/signed; protocol="application/x-pkcs7-signature"; micalg="sha-256"; boundary="SIG"',
    '',
    'This is an S/MIME signed message',
    '',
    '--SIG',
    'Content-Type: multipart/mixed; boundary="MIX"',
    '',
    '--MIX',
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Ricevuta di avvenuta consegna',
    ...parts.flatMap((p) => ['--MIX', p]),
    '--MIX--',
    '',
    '--SIG',
    'Content-Type: application/x-pkcs7-signature; name="smime.p7s"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7s"',
    '',
    'MII...AA==',
    '--SIG--',
    '',
  ].join('\r\n');
}

const deliveryHeaders = [
  'Subject: CONSEGNA: Avviso n. 42',
  'X-Ricevuta: avvenuta-consegna',
  'X-Riferimento-Message-ID: <abc@gara>',
  'Message-ID: <opec.20250703091501.5678@pec.gestore.example.it>',
];

describe('parsePecReceipt on synthetic messages', () => {
  it('reads a delivery receipt: recipient from consegna (lower case), instant from data', async () => {
    const r = await parsePecReceipt(receiptMime({ headers: deliveryHeaders }));
    expect(r.problems).toEqual([]);
    expect(r.conformant).toBe(true);
    expect(r.kind).toBe('avvenuta-consegna');
    expect(r.referenceMessageId).toBe('abc@gara');
    expect(r.recipient).toBe('ufficio.gare@pec.comune.example.it');
    expect(r.subject).toBe('CONSEGNA: Avviso n. 42');
    expect(r.from).toBe('posta-certificata@pec.gestore.example.it');
    expect(r.date).toBe('Thu, 03 Jul 2025 09:15:01 +0200');
    expect(r.datiCert).toEqual({
      tipo: 'avvenuta-consegna',
      errore: 'nessuno',
      mittente: 'protocollo@pec.anac.example.it',
      destinatari: [
        { address: 'Ufficio.Gare@PEC.Comune.Example.it', tipo: 'certificato' },
        { address: 'rup@comune.example.it', tipo: 'esterno' },
      ],
      risposte: 'protocollo@pec.anac.example.it',
      oggetto: 'Avviso n. 42 & allegati \u2013 CIG A0B1C2D3E4',
      gestoreEmittente: 'Gestore di prova S.p.A.',
      data: { zona: '+0200', giorno: '03/07/2025', ora: '09:15:00' },
      at: '2025-07-03T07:15:00.000Z',
      identificativo: 'opec.20250703091500.1234@pec.gestore.example.it',
      msgid: '<abc@gara>',
      ricevuta: 'completa',
      consegna: 'Ufficio.Gare@PEC.Comune.Example.it',
      erroreEsteso: null,
    });
  });

  it('accepts a Buffer, folded headers and a differently cased attachment name', async () => {
    const headers = [
      'Subject: CONSEGNA:',
      ' Avviso n. 42',
      'x-ricevuta:  Avvenuta-Consegna ',
      'X-Riferimento-Message-ID:',
      '\t<abc@gara>',
    ];
    const r = await parsePecReceipt(Buffer.from(receiptMime({ headers, daticertName: 'DatiCert.XML' })));
    expect(r.problems).toEqual([]);
    expect(r.kind).toBe('avvenuta-consegna');
    expect(r.referenceMessageId).toBe('abc@gara');
    expect(r.subject).toBe('CONSEGNA: Avviso n. 42');
  });

  it('uses the first destinatario when there is no consegna (acceptance)', async () => {
    const xml = daticert({ tipo: 'accettazione' }).replace(/\s*<consegna>.*<\/consegna>/, '');
    const headers = ['X-Ricevuta: accettazione', 'X-Riferimento-Message-ID: <abc@gara>'];
    const r = await parsePecReceipt(receiptMime({ headers, daticertXml: xml }));
    expect(r.problems).toEqual([]);
    expect(r.datiCert?.consegna).toBeNull();
    expect(r.recipient).toBe('ufficio.gare@pec.comune.example.it');
  });

  it('reports X-Ricevuta disagreeing with tipo, keeping the header kind', async () => {
    const r = await parsePecReceipt(
      receiptMime({ headers: deliveryHeaders, daticertXml: daticert({ tipo: 'errore-consegna' }) }),
    );
    expect(r.kind).toBe('avvenuta-consegna');
    expect(r.datiCert?.tipo).toBe('errore-consegna');
    expect(r.conformant).toBe(false);
    expect(r.problems).toEqual([
      "X-Ricevuta 'avvenuta-consegna' disagrees with daticert.xml tipo 'errore-consegna'",
    ]);
  });

  it('reports a missing X-Riferimento-Message-ID and a msgid naming another message', async () => {
    const missing = await parsePecReceipt(
      receiptMime({ headers: ['X-Ricevuta: avvenuta-consegna'], daticertXml: daticert({}) }),
    );
    expect(missing.referenceMessageId).toBeNull();
    expect(missing.problems).toEqual(['X-Riferimento-Message-ID is missing']);
    expect(missing.recipient).toBe('ufficio.gare@pec.comune.example.it');

    const other = await parsePecReceipt(
      receiptMime({ headers: deliveryHeaders, daticertXml: daticert({ msgid: '&lt;xyz@gara&gt;' }) }),
    );
    expect(other.problems).toEqual([
      "X-Riferimento-Message-ID 'abc@gara' differs from daticert.xml msgid 'xyz@gara'",
    ]);
  });

  it('keeps a receipt without daticert.xml, or with a broken one, as evidence', async () => {
    const none = await parsePecReceipt(receiptMime({ headers: deliveryHeaders, daticertXml: null }));
    expect(none.kind).toBe('avvenuta-consegna');
    expect(none.referenceMessageId).toBe('abc@gara');
    expect(none.datiCert).toBeNull();
    expect(none.recipient).toBeNull();
    expect(none.problems).toEqual(['no daticert.xml attachment']);

    const broken = await parsePecReceipt(
      receiptMime({ headers: deliveryHeaders, daticertXml: daticert({}).replace('</dati>', '') }),
    );
    expect(broken.kind).toBe('avvenuta-consegna');
    expect(broken.conformant).toBe(false);
    expect(broken.problems[0]).toMatch(/^daticert\.xml is not well-formed XML: /);
  });

  it('refuses a daticert.xml with a DOCTYPE (no entity is expanded)', async () => {
    const evil = daticert({}).replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0"?><!DOCTYPE postacert [<!ENTITY x "expanded">]>',
    );
    const r = await parsePecReceipt(
      receiptMime({ headers: deliveryHeaders, daticertXml: evil.replace('Gestore di prova', '&x;') }),
    );
    expect(r.kind).toBe('avvenuta-consegna');
    expect(r.datiCert).toBeNull();
    expect(r.problems).toEqual([
      'daticert.xml has a DOCTYPE declaration: refused (entities are never expanded)',
    ]);
  });

  it('reports DTD deviations but still extracts the fields', async () => {
    const xml = daticert({ errore: 'boh', extraIntestazione: '<cc>x@y</cc>' })
      .replace('<ricevuta tipo="completa"/>', '<ricevuta tipo="completa">testo</ricevuta>')
      .replace(/<mittente>.*<\/mittente>/, '');
    const { datiCert, problems } = parseDatiCert(xml);
    expect(problems).toEqual([
      "daticert.xml: <postacert> errore='boh' is not one of nessuno | no-dest | no-dominio | virus | altro",
      'daticert.xml: element <cc> is not allowed inside <intestazione>',
      'daticert.xml: <intestazione> lacks the required element <mittente>',
      'daticert.xml: <ricevuta> must be empty per the DTD',
    ]);
    expect(datiCert?.errore).toBe('boh');
    expect(datiCert?.mittente).toBeNull();
    expect(datiCert?.consegna).toBe('Ufficio.Gare@PEC.Comune.Example.it');
  });

  it('picks the envelope daticert.xml, not one inside the carried postacert.eml', async () => {
    const inner = [
      'From: protocollo@pec.anac.example.it',
      'To: ufficio.gare@pec.comune.example.it',
      'Subject: Avviso n. 42',
      'Message-ID: <abc@gara>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="IN"',
      '',
      '--IN',
      'Content-Type: text/plain',
      '',
      'Si trasmette in allegato la ricevuta precedente.',
      '--IN',
      'Content-Type: application/xml; name="daticert.xml"',
      'Content-Disposition: attachment; filename="daticert.xml"',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(daticert({ tipo: 'accettazione' })),
      '--IN--',
      '',
    ].join('\r\n');
    const postacert = [
      'Content-Type: message/rfc822; name="postacert.eml"',
      'Content-Disposition: inline; filename="postacert.eml"',
      '',
      inner,
    ].join('\r\n');
    const r = await parsePecReceipt(
      receiptMime({
        headers: ['Subject: POSTA CERTIFICATA: Avviso n. 42', 'X-Trasporto: posta-certificata'],
        daticertXml: daticert({ tipo: 'posta-certificata' }),
        extraMixedParts: [postacert],
      }),
    );
    expect(r.problems).toEqual([]);
    expect(r.kind).toBe('posta-certificata');
    expect(r.datiCert?.tipo).toBe('posta-certificata');
    expect(r.referenceMessageId).toBeNull();
  });

  it.each([
    ['garbage', 'garbage'],
    ['an empty string', ''],
    ['an empty Buffer', Buffer.alloc(0)],
    ['binary noise', Buffer.from([0, 0xff, 0xfe, 0x13, 0x0a, 0x0d, 0x80, 0x3a])],
    ['headers only', 'From: someone@example.it\r\nSubject: ciao\r\n\r\nnot a receipt'],
    ['an unknown X-Ricevuta', 'X-Ricevuta: boh\r\n\r\n'],
    ['null', null],
  ])('never throws on %s: kind unknown, problems listed', async (_label, input) => {
    const r: PecReceipt = await parsePecReceipt(input as never);
    expect(r.kind).toBe('unknown');
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.conformant).toBe(false);
  });
});

describe('parseDatiCert on bad input', () => {
  it.each([
    ['', 'daticert.xml is empty'],
    ['garbage', 'daticert.xml is not well-formed XML'],
    ['<ricevuta tipo="completa"/>', 'the root element is <ricevuta>'],
    [
      '<postacert tipo="accettazione"><intestazione>&ent;</intestazione></postacert>',
      "undefined entity '&ent;'",
    ],
  ])('%j', (xml, expected) => {
    const { problems } = parseDatiCert(xml);
    expect(problems.some((p) => p.includes(expected))).toBe(true);
  });

  it('computes instants only from valid dates', () => {
    expect(datiCertInstant('29/02/2024', '23:59:59', '-0500')).toBe('2024-03-01T04:59:59.000Z');
    expect(datiCertInstant('01/01/2025', '00:00:00', '+01:00')).toBe('2024-12-31T23:00:00.000Z');
    expect(datiCertInstant('31/02/2024', '10:00:00', '+0100')).toBeNull();
    expect(datiCertInstant('2024-11-15', '10:00:00', '+0100')).toBeNull();
    expect(datiCertInstant('15/11/2024', '24:00:00', '+0100')).toBeNull();
    expect(datiCertInstant('15/11/2024', '10:00:00', 'CET')).toBeNull();
    expect(datiCertInstant('15/11/2024', '10:00:00', null)).toBeNull();
  });
});
