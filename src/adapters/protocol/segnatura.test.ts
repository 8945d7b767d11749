import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegnaturaSigner } from '../../services/notices/ports.js';
import {
  buildSegnatura,
  createSegnaturaSigner,
  formatRegistrationNumber,
  sha256Base64,
  signSegnatura,
  verifySegnatura,
  type SegnaturaInput,
  type SegnaturaSigningKey,
} from './segnatura.js';
import {
  SIGNING_CERT_FILE,
  SIGNING_KEY_FILE,
  createSelfSignedSigningKey,
  loadOrCreateSigningKey,
} from './signing-key.js';

/** xmlsec1 (libxmlsec1) verifies a signed document with the given certificate's key. */
function xmlsec1Verify(xml: string, certificatePem: string): { ok: boolean; references: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gara-xmlsec-'));
  try {
    writeFileSync(join(dir, 'cert.pem'), certificatePem);
    writeFileSync(join(dir, 'segnatura.xml'), xml);
    const run = spawnSync(
      'xmlsec1',
      [
        '--verify',
        '--pubkey-cert-pem',
        join(dir, 'cert.pem'),
        '--id-attr:Id',
        'http://uri.etsi.org/01903/v1.3.2#:SignedProperties',
        join(dir, 'segnatura.xml'),
      ],
      { encoding: 'utf8' },
    );
    if (run.error) throw run.error;
    const references = /SignedInfo References \(ok\/all\): (\d+\/\d+)/.exec(run.stderr)?.[1] ?? '';
    return { ok: run.status === 0 && /^OK$/m.test(run.stderr), references };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function input(overrides: Partial<SegnaturaInput> = {}): SegnaturaInput {
  return {
    administration: { code: 'anac', name: 'Autorità Nazionale Anticorruzione', fiscalCode: '97584460584' },
    aoo: { code: 'AOO_092', name: 'Sezione regionale Puglia', pec: 'sezione.puglia@pec.anticorruzione.it' },
    register: { code: 'REG_UFFICIALE' },
    number: 1228,
    date: '2025-03-05',
    direction: 'U',
    subject: 'Richiesta di chiarimenti sulla procedura CIG B1234567AB',
    classification: { code: '6.3', name: 'Vigilanza sui contratti pubblici' },
    recipients: [
      {
        name: 'Comune di Bari',
        pec: 'protocollo@pec.comune.bari.it',
        fiscalCode: '80015010723',
        ipaCode: 'c_a662',
      },
      {
        name: 'Costruzioni Adriatiche S.r.l.',
        pec: 'costruzioni.adriatiche@pec.it',
        fiscalCode: '01234567890',
      },
    ],
    document: {
      fileName: 'AOO_092-0001228-lettera.pdf',
      mimeType: 'application/pdf',
      sha256Base64: sha256Base64('%PDF-1.7 the letter'),
    },
    ...overrides,
  };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Parsed = any;
function parse(xml: string): Parsed {
  return parser.parse(xml);
}

const subject = { aoo: 'AOO_092', name: 'ANAC - Sezione regionale Puglia' };
const keys = {} as Record<'ec' | 'rsa', { key: SegnaturaSigningKey; otherKey: SegnaturaSigningKey }>;
let key: SegnaturaSigningKey;
let otherKey: SegnaturaSigningKey;
beforeAll(() => {
  for (const type of ['ec', 'rsa'] as const) {
    keys[type] = {
      key: createSelfSignedSigningKey(subject, new Date(), type),
      otherKey: createSelfSignedSigningKey(subject, new Date(), type),
    };
  }
  ({ key, otherKey } = keys.ec);
});

describe('buildSegnatura', () => {
  it('writes the identifier, subject, sender, recipients and primary document in the AgID namespace', () => {
    const xml = buildSegnatura(input());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    const root = parse(xml)['prot:SegnaturaInformatica'];
    expect(root['@xmlns:prot']).toBe('http://www.agid.gov.it/protocollo/');
    expect(root['@prot:versione']).toBe('3.0.0');
    expect(root['@prot:lang']).toBe('it');
    const id = root['prot:Intestazione']['prot:Identificatore'];
    expect(id['prot:CodiceAmministrazione']['#text']).toBe('anac');
    expect(id['prot:CodiceAOO']['#text']).toBe('AOO_092');
    expect(id['prot:CodiceRegistro']).toBe('REG_UFFICIALE');
    expect(id['prot:NumeroRegistrazione']).toBe('0001228');
    expect(id['prot:DataRegistrazione']).toBe('2025-03-05');
    const desc = root['prot:Descrizione'];
    const sender = desc['prot:Mittente']['prot:Amministrazione'];
    expect(sender['prot:CodiceIPAAOO']['#text']).toBe('AOO_092');
    expect(sender['prot:ContattiAOO']['prot:IndirizzoTelematico']['#text']).toBe(
      'sezione.puglia@pec.anticorruzione.it',
    );
    const [authority, company] = desc['prot:Destinatario'];
    expect(authority['prot:Amministrazione']['prot:CFAmministrazione']).toBe('80015010723');
    expect(authority['prot:Amministrazione']['prot:CodiceIPAAmministrazione']).toBe('c_a662');
    expect(company['prot:PersonaGiuridica']['prot:PIVAoCF']).toBe('01234567890');
    const doc = desc['prot:DocumentoPrimario'];
    expect(doc['@prot:nomeFile']).toBe('AOO_092-0001228-lettera.pdf');
    expect(doc['prot:Impronta']['@prot:algoritmo']).toBe('SHA-256');
    expect(doc['prot:Impronta']['#text']).toBe(sha256Base64('%PDF-1.7 the letter'));
    expect(Buffer.from(doc['prot:Impronta']['#text'], 'base64')).toHaveLength(32);
  });

  it('pads the registration number to at least seven digits', () => {
    expect(formatRegistrationNumber(1)).toBe('0000001');
    expect(formatRegistrationNumber(1228)).toBe('0001228');
    expect(formatRegistrationNumber(9_999_999)).toBe('9999999');
    expect(formatRegistrationNumber(12_345_678)).toBe('12345678');
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      expect(() => formatRegistrationNumber(bad)).toThrow(RangeError);
    }
    expect(buildSegnatura(input({ number: 7 }))).toContain('<prot:NumeroRegistrazione>0000007<');
  });

  it('escapes & < > (and quotes in attributes) in the subject and in names, and they parse back intact', () => {
    const subject = 'Lavori <urgenti> & "somma urgenza" – art. 140 > soglia';
    const aooName = 'Sezione "Puglia" & <Basilicata>';
    const recipient = 'Rossi & Figli <S.n.c.>';
    const xml = buildSegnatura(
      input({
        subject,
        aoo: { code: 'AOO_092', name: aooName, pec: 'puglia@pec.anticorruzione.it' },
        recipients: [{ name: recipient, pec: 'rossi@pec.it' }],
      }),
    );
    expect(xml).not.toContain('<urgenti>');
    expect(xml).not.toContain('<Basilicata>');
    expect(xml).toContain('Lavori &lt;urgenti&gt; &amp; "somma urgenza"');
    // Canonical (exclusive c14n) attribute escaping: `>` is left as it is.
    expect(xml).toContain('prot:descrizione="Sezione &quot;Puglia&quot; &amp; &lt;Basilicata>"');
    const root = parse(xml)['prot:SegnaturaInformatica'];
    const decode = (s: string) =>
      s
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    expect(decode(root['prot:Intestazione']['prot:Oggetto'])).toBe(subject);
    expect(
      decode(root['prot:Intestazione']['prot:Identificatore']['prot:CodiceAOO']['@prot:descrizione']),
    ).toBe(aooName);
    expect(
      decode(root['prot:Descrizione']['prot:Destinatario']['prot:PersonaGiuridica']['prot:Denominazione']),
    ).toBe(recipient);
  });

  it('builds a registration with 500 recipients with no quadratic step', () => {
    const recipients = Array.from({ length: 500 }, (_, i) => ({
      name: `Stazione appaltante n. ${i + 1} & C.`,
      pec: `sa${i + 1}@pec.example.it`,
      fiscalCode: String(80_000_000_000 + i),
    }));
    const started = performance.now();
    const xml = buildSegnatura(input({ recipients }));
    const elapsed = performance.now() - started;
    // A complexity guard (a few ms here), generous for a busy machine; bench/ measures speed.
    expect(elapsed).toBeLessThan(2000);
    expect(xml.match(/<prot:Destinatario>/g)).toHaveLength(500);
  });

  it('refuses what the schema cannot carry', () => {
    expect(() => buildSegnatura(input({ direction: 'E' }))).toThrow(/outgoing/);
    expect(() => buildSegnatura(input({ register: { code: 'REGISTRO UFFICIALE' } }))).toThrow(RangeError);
    expect(() => buildSegnatura(input({ register: { code: 'A'.repeat(17) } }))).toThrow(RangeError);
    expect(() => buildSegnatura(input({ date: '2025-02-30' }))).toThrow(RangeError);
    expect(() => buildSegnatura(input({ recipients: [] }))).toThrow(RangeError);
    expect(() => buildSegnatura(input({ subject: '  ' }))).toThrow(RangeError);
    expect(() => buildSegnatura(input({ subject: 'bell \u0007' }))).toThrow(RangeError);
    expect(() =>
      buildSegnatura(
        input({ recipients: [{ name: 'Mario Rossi', pec: 'm@pec.it', fiscalCode: 'RSSMRA80A01A662X' }] }),
      ),
    ).toThrow(/11-digit/);
    expect(() => buildSegnatura(input({ recipients: [{ name: 'X', pec: 'not-an-address' }] }))).toThrow(
      RangeError,
    );
    const document = { fileName: 'a.pdf', mimeType: 'application/pdf', sha256Base64: 'AAAA' };
    expect(() => buildSegnatura(input({ document }))).toThrow(/32-byte/);
  });
});

describe.each([
  { type: 'ec', label: 'an ECDSA P-256 key', method: 'ecdsa-sha256', valueBytes: 64 },
  { type: 'rsa', label: 'an RSA-2048 key', method: 'rsa-sha256', valueBytes: 256 },
] as const)('signSegnatura / verifySegnatura with $label', ({ type, method, valueBytes }) => {
  let key: SegnaturaSigningKey;
  let otherKey: SegnaturaSigningKey;
  beforeAll(() => {
    ({ key, otherKey } = keys[type]);
  });

  it('writes a document that is its own canonical form: xml-crypto verifies any text the signer accepts', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', '\r\n', 'à', '€', '😀', ' '),
        (words, special) => {
          const value = `${words}${special}${words}`;
          if (value.trim() === '' || /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(value))
            return;
          const signed = signSegnatura(
            buildSegnatura(
              input({
                subject: value,
                aoo: { code: 'AOO_092', name: value, pec: 'puglia@pec.anticorruzione.it' },
                recipients: [{ name: value, pec: 'rossi@pec.it' }],
                document: { ...input().document, fileName: `${value}.pdf` },
              }),
            ),
            key,
          );
          expect(verifySegnatura(signed, key.certificatePem)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('verifies the counterexamples the property test found: NEL and LINE SEPARATOR, "/>" in an attribute', () => {
    for (const value of ['  \u2028&\u2028  ', 'a\u0085b', '/>/']) {
      const signed = signSegnatura(
        buildSegnatura(
          input({
            subject: value,
            recipients: [{ name: value, pec: 'rossi@pec.it' }],
            document: { ...input().document, fileName: `${value}.pdf` },
          }),
        ),
        key,
      );
      expect(verifySegnatura(signed, key.certificatePem), JSON.stringify(value)).toBe(true);
    }
  });

  it('round-trips: the signed document verifies with the signer certificate, and only with it', () => {
    const signed = signSegnatura(buildSegnatura(input()), key);
    expect(verifySegnatura(signed, key.certificatePem)).toBe(true);
    expect(verifySegnatura(signed, otherKey.certificatePem)).toBe(false);
    const otherType = keys[type === 'ec' ? 'rsa' : 'ec'];
    expect(verifySegnatura(signed, otherType.key.certificatePem)).toBe(false);
  });

  it(`places one XAdES baseline-B ${method} signature over the whole document last, and xmlsec1 verifies it`, () => {
    const signed = signSegnatura(buildSegnatura(input()), key, new Date('2021-05-07T07:30:00.456Z'));
    expect(signed).toMatch(
      /<\/prot:Descrizione>\s*<ds:Signature [^>]*>[\s\S]*<\/ds:Signature><\/prot:SegnaturaInformatica>/,
    );
    expect(signed).toContain('<ds:Reference Id="segnatura-documento" URI="">');
    expect(signed).toContain('Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"');
    expect(signed).toContain('Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"');
    expect(signed).toContain(
      `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#${method}">`,
    );
    // RFC 6931: an ECDSA value is r || s (2 x 32 bytes for P-256), not DER; RSA-2048 gives 256 bytes.
    const value = /<ds:SignatureValue>([^<]+)</.exec(signed)?.[1] ?? '';
    expect(Buffer.from(value, 'base64')).toHaveLength(valueBytes);
    const published = /<ds:X509Certificate>([^<]+)</.exec(signed)?.[1];
    const base64 = key.certificatePem.replace(/-----[^-]+-----|\s/g, '');
    expect(published).toBe(base64);

    // XAdES baseline B (ETSI EN 319 132-1): QualifyingProperties targeting the signature, SignedProperties
    // with SigningTime and SigningCertificateV2 (SHA-256 of the certificate), signed by a second Reference.
    const xades = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true }).parse(signed)
      .SegnaturaInformatica.Signature;
    const qualifying = xades.Object.QualifyingProperties;
    expect(qualifying['@_Target']).toBe(`#${xades['@_Id']}`);
    const properties = qualifying.SignedProperties;
    expect(properties.SignedSignatureProperties.SigningTime).toBe('2021-05-07T07:30:00Z');
    const certDigest = properties.SignedSignatureProperties.SigningCertificateV2.Cert.CertDigest;
    expect(certDigest.DigestMethod['@_Algorithm']).toBe('http://www.w3.org/2001/04/xmlenc#sha256');
    expect(certDigest.DigestValue).toBe(sha256Base64(new X509Certificate(key.certificatePem).raw));
    const references = xades.SignedInfo.Reference as Record<string, string>[];
    expect(references).toHaveLength(2);
    expect(references[1]).toMatchObject({
      '@_Type': 'http://uri.etsi.org/01903#SignedProperties',
      '@_URI': `#${properties['@_Id']}`,
    });

    // An independent verifier (xmlsec1, libxml2's canonicalisation) checks both references.
    expect(xmlsec1Verify(signed, key.certificatePem)).toEqual({ ok: true, references: '2/2' });
    expect(xmlsec1Verify(signed.replace('>0001228<', '>0001229<'), key.certificatePem).ok).toBe(false);
    const time = signed.replace('2021-05-07T07:30:00Z', '2021-05-08T07:30:00Z');
    expect(time).not.toBe(signed);
    expect(xmlsec1Verify(time, key.certificatePem).ok).toBe(false);
    expect(verifySegnatura(time, key.certificatePem)).toBe(false);
  });

  it('fails when the subject or the registration number is changed after signing', () => {
    const signed = signSegnatura(buildSegnatura(input()), key);
    const subject = signed.replace('Richiesta di chiarimenti', 'Richiesta di archiviazione');
    expect(subject).not.toBe(signed);
    expect(verifySegnatura(subject, key.certificatePem)).toBe(false);
    const number = signed.replace('>0001228<', '>0001229<');
    expect(number).not.toBe(signed);
    expect(verifySegnatura(number, key.certificatePem)).toBe(false);
  });

  it('fails on a removed, duplicated or displaced signature and on other malformed input', () => {
    const signed = signSegnatura(buildSegnatura(input()), key);
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)?.[0] ?? '';
    expect(signature).not.toBe('');
    expect(verifySegnatura(signed.replace(signature, ''), key.certificatePem)).toBe(false);
    expect(verifySegnatura(signed.replace(signature, signature + signature), key.certificatePem)).toBe(false);
    const moved = signed
      .replace(signature, '')
      .replace('</prot:Intestazione>', `${signature}</prot:Intestazione>`);
    expect(verifySegnatura(moved, key.certificatePem)).toBe(false);
    expect(
      verifySegnatura(signed.replace('</prot:Oggetto>', '</prot:Oggetto><!-- x -->'), key.certificatePem),
    ).toBe(false);
    expect(verifySegnatura(signed.slice(0, -40), key.certificatePem)).toBe(false);
    expect(verifySegnatura('', key.certificatePem)).toBe(false);
    expect(verifySegnatura(signed, 'not a certificate')).toBe(false);
  });

  it('refuses to sign twice or to sign something that is not a segnatura', () => {
    const signed = signSegnatura(buildSegnatura(input()), key);
    expect(() => signSegnatura(signed, key)).toThrow(/already signed/);
    expect(() => signSegnatura('<a/>', key)).toThrow(RangeError);
  });

  it('signs and verifies 500 recipients and an escaped subject', () => {
    const recipients = Array.from({ length: 500 }, (_, i) => ({
      name: `SA ${i} <&>`,
      pec: `sa${i}@pec.example.it`,
    }));
    const signed = signSegnatura(buildSegnatura(input({ recipients, subject: 'A & B <c>\r\nriga 2' })), key);
    expect(verifySegnatura(signed, key.certificatePem)).toBe(true);
  });
});

describe('createSegnaturaSigner', () => {
  it("implements the services' SegnaturaSigner port, filling in the configured classification", () => {
    const classification = { code: '6.3', name: 'Vigilanza sui contratti pubblici' };
    const signer: SegnaturaSigner = createSegnaturaSigner({ key, classification });
    const { classification: _omitted, ...portInput } = input();
    const signed = signer.sign({ ...portInput, signingTime: new Date('2021-05-07T09:30:00+02:00') });
    expect(verifySegnatura(signed, key.certificatePem)).toBe(true);
    expect(signed).toContain('<prot:CodiceFlat>6.3</prot:CodiceFlat>');
    expect(signed).toContain('<xades:SigningTime>2021-05-07T07:30:00Z</xades:SigningTime>');
  });
});

describe('loadOrCreateSigningKey', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'gara-segnatura-key-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('creates an ECDSA P-256 key and a self-signed 10-year certificate on first use, 0600, and reloads them', () => {
    const dir = join(tempDir(), 'keys');
    const created = loadOrCreateSigningKey(dir, { aoo: 'AOO_092', name: 'ANAC - Sezione regionale Puglia' });
    for (const file of [SIGNING_KEY_FILE, SIGNING_CERT_FILE]) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(dir, SIGNING_KEY_FILE), 'utf8')).toBe(created.privateKeyPem);
    const cert = new X509Certificate(created.certificatePem);
    expect(cert.subject).toContain('CN=AOO_092');
    expect(cert.subject).toContain('O=ANAC - Sezione regionale Puglia');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(created.privateKeyPem))).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 24 * 3600 * 1000);
    expect(years).toBeCloseTo(10, 1);
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(Date.now());

    const again = loadOrCreateSigningKey(dir, { aoo: 'other', name: 'other' });
    expect(again).toEqual(created);
    const signed = signSegnatura(buildSegnatura(input()), again);
    expect(verifySegnatura(signed, created.certificatePem)).toBe(true);
  });

  it('refuses a directory with only one of the files or with a key and a certificate that do not match', () => {
    const dir = tempDir();
    const subject = { aoo: 'AOO_092', name: 'ANAC' };
    loadOrCreateSigningKey(dir, subject);
    writeFileSync(join(dir, SIGNING_CERT_FILE), otherKey.certificatePem);
    expect(() => loadOrCreateSigningKey(dir, subject)).toThrow(/does not certify/);
    unlinkSync(join(dir, SIGNING_CERT_FILE));
    expect(() => loadOrCreateSigningKey(dir, subject)).toThrow(/only one/);
  }, 20_000);
});
