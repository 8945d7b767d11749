import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pecReceiptReader } from '../../src/adapters/mail/pec-receipt-reader.js';
import { smimeVerifier } from '../../src/adapters/mail/smime.js';
import type { PecReceiptReader } from '../../src/services/notices/ports.js';

/**
 * A PEC provider for tests: a CA (the trust anchor, as a provider's CA in AgID's list would be) and the
 * provider's signing certificate issued by it; receipts are S/MIME signed (multipart/signed, detached
 * CMS with signed attributes, as providers send them) with pkijs, the library that verifies them.
 */
export interface TestPecProvider {
  caPem: string;
  sign(entity: Buffer): Promise<Buffer>;
}

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;

function name(cn: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: cn }) }),
      new pkijs.AttributeTypeAndValue({
        type: '2.5.4.10',
        value: new asn1js.Utf8String({ value: 'Gestore PEC di prova' }),
      }),
    ],
  });
}

async function certificate(opts: {
  subject: string;
  issuer: string;
  serial: number;
  publicKey: CryptoKey;
  signingKey: CryptoKey;
  ca: boolean;
}): Promise<pkijs.Certificate> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: opts.serial });
  cert.issuer = name(opts.issuer);
  cert.subject = name(opts.subject);
  cert.notBefore.value = new Date('2000-01-01T00:00:00Z');
  cert.notAfter.value = new Date('2049-12-31T00:00:00Z');
  cert.extensions = [
    new pkijs.Extension({
      extnID: '2.5.29.19',
      critical: true,
      extnValue: new pkijs.BasicConstraints({ cA: opts.ca }).toSchema().toBER(false),
      parsedValue: new pkijs.BasicConstraints({ cA: opts.ca }),
    }),
  ];
  await cert.subjectPublicKeyInfo.importKey(opts.publicKey);
  await cert.sign(opts.signingKey, 'SHA-256');
  return cert;
}

function pem(cert: pkijs.Certificate): string {
  const b64 = Buffer.from(cert.toSchema().toBER(false)).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

/** A new CA and provider certificate (a few milliseconds: ECDSA P-256). */
export async function createTestPecProvider(label = 'PEC di prova'): Promise<TestPecProvider> {
  const subtle = webcrypto.subtle;
  const caKeys = (await subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const providerKeys = (await subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await certificate({
    subject: `CA ${label}`,
    issuer: `CA ${label}`,
    serial: 1,
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    ca: true,
  });
  const provider = await certificate({
    subject: `Ricevute ${label}`,
    issuer: `CA ${label}`,
    serial: 2,
    publicKey: providerKeys.publicKey,
    signingKey: caKeys.privateKey,
    ca: false,
  });
  return {
    caPem: pem(ca),
    async sign(entity) {
      const digest = createHash('sha256').update(entity).digest();
      const signed = new pkijs.SignedData({
        version: 1,
        encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1' }),
        signerInfos: [
          new pkijs.SignerInfo({
            version: 1,
            sid: new pkijs.IssuerAndSerialNumber({
              issuer: provider.issuer,
              serialNumber: provider.serialNumber,
            }),
            signedAttrs: new pkijs.SignedAndUnsignedAttributes({
              type: 0,
              attributes: [
                new pkijs.Attribute({
                  type: '1.2.840.113549.1.9.3',
                  values: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })],
                }),
                new pkijs.Attribute({
                  type: '1.2.840.113549.1.9.4',
                  values: [new asn1js.OctetString({ valueHex: digest })],
                }),
              ],
            }),
          }),
        ],
        certificates: [provider],
      });
      await signed.sign(providerKeys.privateKey, 0, 'SHA-256', new Uint8Array(entity));
      const info = new pkijs.ContentInfo({
        contentType: pkijs.ContentInfo.SIGNED_DATA,
        content: signed.toSchema(true),
      });
      return Buffer.from(info.toSchema().toBER(false));
    },
  };
}

let shared: Promise<TestPecProvider> | undefined;
/** The provider the test harness trusts (one per test process). */
export function testPecProvider(): Promise<TestPecProvider> {
  shared ??= createTestPecProvider();
  return shared;
}

/** The reader the harness wires: it trusts the shared test provider's CA. */
export function testPecReceiptReader(): PecReceiptReader {
  let reader: Promise<PecReceiptReader> | undefined;
  return {
    async read(raw, at) {
      reader ??= testPecProvider().then((p) => pecReceiptReader(smimeVerifier([p.caPem])));
      return (await reader).read(raw, at);
    },
  };
}

export interface ReceiptFields {
  kind: 'accettazione' | 'avvenuta-consegna' | 'errore-consegna' | 'non-accettazione';
  /** X-Riferimento-Message-ID, without angle brackets */
  messageId: string;
  /** the delivery address certified (destinatari, and consegna for delivery receipts) */
  recipient: string;
  /** daticert.xml as it should be (default: a conformant one for the fields above) */
  daticert?: string;
  /** the X-Ricevuta header (default: kind) */
  header?: string;
  errore?: string;
  erroreEsteso?: string;
}

/** A conformant daticert.xml for the fields. */
export function daticertFor(f: ReceiptFields): string {
  const delivery = f.kind !== 'accettazione' && f.kind !== 'non-accettazione';
  return `<?xml version="1.0" encoding="UTF-8"?>
<postacert tipo="${f.kind}" errore="${f.errore ?? 'nessuno'}">
  <intestazione>
    <mittente>osservatorio.pug@pec.example.it</mittente>
    <destinatari tipo="certificato">${f.recipient}</destinatari>
    <risposte>osservatorio.pug@pec.example.it</risposte>
    <oggetto>Comunicato di prova</oggetto>
  </intestazione>
  <dati>
    <gestore-emittente>Gestore PEC di prova</gestore-emittente>
    <data zona="+0100"><giorno>15/11/2024</giorno><ora>18:20:38</ora></data>
    <identificativo>opec.20241115.1@pec.example.it</identificativo>
    <msgid>&lt;${f.messageId}&gt;</msgid>
${delivery ? `    <ricevuta tipo="completa"/>\n    <consegna>${f.recipient}</consegna>\n` : ''}${f.erroreEsteso ? `    <errore-esteso>${f.erroreEsteso}</errore-esteso>\n` : ''}  </dati>
</postacert>
`;
}

/** The receipt's signed entity: a multipart/mixed with the text and daticert.xml. */
export function receiptEntity(f: ReceiptFields): Buffer {
  const xml = Buffer.from(f.daticert ?? daticertFor(f), 'utf8').toString('base64');
  return Buffer.from(
    [
      'Content-Type: multipart/mixed; boundary="mixed-1"',
      '',
      '--mixed-1',
      'Content-Type: text/plain; charset="utf-8"',
      '',
      `Ricevuta di ${f.kind} del messaggio ${f.messageId}`,
      '--mixed-1',
      'Content-Type: application/xml; name="daticert.xml"',
      'Content-Disposition: inline; filename="daticert.xml"',
      'Content-Transfer-Encoding: base64',
      '',
      ...(xml.match(/.{1,76}/g) ?? []),
      '--mixed-1--',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

/** A whole receipt, S/MIME signed by `provider` (or unsigned with `provider` null). */
export async function receiptMessage(
  f: ReceiptFields,
  provider: TestPecProvider | null,
  entity = receiptEntity(f),
): Promise<Buffer> {
  const headers = [
    'From: posta-certificata@pec.example.it',
    'To: osservatorio.pug@pec.example.it',
    `Subject: ${f.kind.toUpperCase()}: Comunicato di prova`,
    'Date: Fri, 15 Nov 2024 18:20:38 +0100',
    `Message-ID: <opec.${Math.random().toString(36).slice(2)}@pec.example.it>`,
    `X-Ricevuta: ${f.header ?? f.kind}`,
    `X-Riferimento-Message-ID: <${f.messageId}>`,
    'MIME-Version: 1.0',
  ];
  if (!provider) return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n`), entity]);
  const signature = (await provider.sign(entity)).toString('base64');
  return Buffer.concat([
    Buffer.from(
      `${headers.join('\r\n')}\r\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg="sha-256"; boundary="signed-1"\r\n\r\nThis is an S/MIME signed message\r\n--signed-1\r\n`,
    ),
    entity,
    Buffer.from(
      `\r\n--signed-1\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7s"\r\n\r\n${(signature.match(/.{1,76}/g) ?? []).join('\r\n')}\r\n--signed-1--\r\n`,
    ),
  ]);
}
