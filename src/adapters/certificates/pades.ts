/**
 * PAdES-B-B signatures (ETSI EN 319 142-1) of gara's PDFs, and their verification.
 *
 * Placing the signature is `@signpdf/signpdf` (ByteRange, /Contents); the CMS SignedData is built here
 * over pkijs: `@signpdf/signer-p12` needs a PKCS#12 bundle read by node-forge, which signs with RSA
 * only, while gara's key (the segnatura's, `signing-key.ts`) is ECDSA P-256 by default. The signed
 * attributes are the ones PAdES-B-B asks for: content-type, message-digest and ESS
 * signing-certificate-v2 (no signing-time in the CMS: the time is the signature dictionary's /M).
 */
import { X509Certificate, createHash, createPrivateKey, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { Signer } from '@signpdf/utils';
import type { VerificationOutcome } from '../../domain/certificates/downtime-certificate.js';

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

export interface SigningKeyPem {
  privateKeyPem: string;
  certificatePem: string;
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

export function toArrayBuffer(buf: Buffer | Uint8Array): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** The WebCrypto key for pkijs (ECDSA P-256 or RSASSA-PKCS1-v1_5), from a PKCS#8 PEM. */
async function cryptoKeyOf(privateKeyPem: string): Promise<webcrypto.CryptoKey> {
  const key = createPrivateKey(privateKeyPem);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const algorithm =
    key.asymmetricKeyType === 'ec'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  return webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']) as Promise<webcrypto.CryptoKey>;
}

/** A `@signpdf` Signer producing the detached CAdES (PAdES-B-B) SignedData of the covered bytes. */
export class PadesSigner extends Signer {
  readonly #key: SigningKeyPem;

  constructor(key: SigningKeyPem) {
    super();
    this.#key = key;
  }

  override async sign(covered: Buffer): Promise<Buffer> {
    const certDer = pemToDer(this.#key.certificatePem);
    const certificate = pkijs.Certificate.fromBER(toArrayBuffer(certDer));
    const digest = createHash('sha256').update(covered).digest();
    const essCertIdV2 = new asn1js.Sequence({
      value: [
        // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; sha256 is the default.
        new asn1js.Sequence({
          value: [
            new asn1js.Sequence({
              value: [
                new asn1js.OctetString({
                  valueHex: toArrayBuffer(createHash('sha256').update(certDer).digest()),
                }),
              ],
            }),
          ],
        }),
      ],
    });
    const signedData = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({
            issuer: certificate.issuer,
            serialNumber: certificate.serialNumber,
          }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              new pkijs.Attribute({
                type: OID_CONTENT_TYPE,
                values: [new asn1js.ObjectIdentifier({ value: OID_DATA })],
              }),
              new pkijs.Attribute({
                type: OID_MESSAGE_DIGEST,
                values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })],
              }),
              new pkijs.Attribute({ type: OID_SIGNING_CERTIFICATE_V2, values: [essCertIdV2] }),
            ],
          }),
        }),
      ],
      certificates: [certificate],
    });
    await signedData.sign(await cryptoKeyOf(this.#key.privateKeyPem), 0, 'SHA-256');
    const info = new pkijs.ContentInfo({
      contentType: pkijs.ContentInfo.SIGNED_DATA,
      content: signedData.toSchema(true),
    });
    return Buffer.from(info.toSchema().toBER(false));
  }
}

type Failure = Extract<VerificationOutcome, { valid: false }>;

/** A failed verification of a file of that format. */
export const failureOf =
  (format: Failure['format']) =>
  (failure: Failure['failure'], detail: string): Failure => ({ valid: false, format, failure, detail });

const fail = failureOf('pdf');

/**
 * Checks the (single) PAdES signature of a PDF: the ByteRange covers the whole file but /Contents, the
 * messageDigest signed attribute is the SHA-256 of the covered bytes, the signature verifies with the
 * certificate the CMS carries, and that certificate is `trusted` (gara's configured one).
 */
export async function verifyPades(pdf: Buffer, trustedCertPem: string): Promise<VerificationOutcome> {
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
    return { valid: false, format: 'unknown', failure: 'not_a_certificate', detail: 'no %PDF- header' };
  }
  const at = pdf.lastIndexOf('/ByteRange');
  if (at < 0) return fail('no_signature', 'no /ByteRange in the file');
  const range = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(
    pdf.subarray(at, at + 80).toString('latin1'),
  );
  if (!range) return fail('malformed_signature', 'the /ByteRange cannot be read');
  const [a, b, c, d] = range.slice(1, 5).map(Number) as [number, number, number, number];
  if (a !== 0 || c <= b || c + d !== pdf.length) {
    return fail('content_changed', 'the signed byte ranges do not cover the whole file');
  }
  const contents = pdf.subarray(b, c).toString('latin1');
  if (!/^<[0-9A-Fa-f]*>$/.test(contents)) return fail('malformed_signature', '/Contents is not a hex string');
  const cmsDer = Buffer.from(contents.slice(1, -1), 'hex');
  let signed: pkijs.SignedData;
  try {
    const parsed = asn1js.fromBER(toArrayBuffer(cmsDer));
    if (parsed.offset === -1) throw new Error(parsed.result.error);
    // What follows the DER in /Contents is the placeholder's zero padding, nothing else.
    if (cmsDer.subarray(parsed.offset).some((byte) => byte !== 0)) {
      return fail('content_changed', 'the signature field holds bytes after the signature');
    }
    const info = new pkijs.ContentInfo({ schema: parsed.result });
    if (info.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error('not CMS SignedData');
    signed = new pkijs.SignedData({ schema: info.content as asn1js.Sequence });
  } catch (err) {
    return fail('malformed_signature', `the CMS signature cannot be read (${(err as Error).message})`);
  }
  const irregular = profileProblem(signed, cmsDer);
  if (irregular) return fail('malformed_signature', irregular);
  const covered = Buffer.concat([pdf.subarray(a, b), pdf.subarray(c, c + d)]);
  const signer = signed.signerInfos[0];
  const digestAttr = signer?.signedAttrs?.attributes.find((x) => x.type === OID_MESSAGE_DIGEST);
  const claimed = digestAttr?.values[0] as asn1js.OctetString | undefined;
  if (!signer || !claimed) return fail('malformed_signature', 'no signer with a messageDigest attribute');
  if (signer.digestAlgorithm.algorithmId !== OID_SHA256) {
    return fail('malformed_signature', 'the digest algorithm is not SHA-256');
  }
  const actual = createHash('sha256').update(covered).digest();
  if (!actual.equals(Buffer.from(claimed.valueBlock.valueHexView))) {
    return fail('content_changed', 'the SHA-256 of the signed bytes differs from the signed messageDigest');
  }
  const certificate = signed.certificates?.find(
    (x): x is pkijs.Certificate => x instanceof pkijs.Certificate,
  );
  if (!certificate) return fail('malformed_signature', 'the signature carries no certificate');
  try {
    const ok = await signed.verify({ signer: 0, data: toArrayBuffer(covered), checkChain: false });
    if (!ok) return fail('signature_invalid', 'the signature value does not verify');
  } catch (err) {
    return fail('signature_invalid', `the signature value does not verify (${messageOf(err)})`);
  }
  let carried: X509Certificate;
  try {
    carried = new X509Certificate(Buffer.from(certificate.toSchema().toBER(false)));
  } catch (err) {
    return fail('malformed_signature', `the signing certificate cannot be read (${messageOf(err)})`);
  }
  const trusted = new X509Certificate(trustedCertPem);
  const same = carried.raw.equals(trusted.raw);
  if (!same && !(carried.checkIssued(trusted) && carried.verify(trusted.publicKey))) {
    return fail('unknown_signer', `signed by ${carried.subject.replace(/\n/g, ', ')}`);
  }
  // The signature dictionary's /Reason names the certificate, /M is the signing time.
  const dictionary = Buffer.concat([
    pdf.subarray(Math.max(0, at - 2000), b),
    pdf.subarray(c, c + 2000),
  ]).toString('latin1');
  const reason = /\/Reason\s*\(([^)]*)\)/.exec(dictionary);
  const id = reason?.[1] ? (/ATT-[A-Za-z0-9-]+/.exec(reason[1])?.[0] ?? null) : null;
  const m = /\/M\s*\(D:(\d{14})/.exec(dictionary);
  const signedAt = m?.[1]
    ? new Date(
        `${m[1].slice(0, 4)}-${m[1].slice(4, 6)}-${m[1].slice(6, 8)}T${m[1].slice(8, 10)}:${m[1].slice(10, 12)}:${m[1].slice(12, 14)}Z`,
      )
    : null;
  return {
    valid: true,
    format: 'pdf',
    signer: carried.subject.replace(/\n/g, ', '),
    certificateId: id,
    signedAt,
  };
}

/**
 * gara's own profile, strictly: the parts of a CMS SignedData that its signature does not cover (the
 * version, the digest algorithms, the content type, the signer's identifier, the encoding itself) must
 * be exactly what gara writes, so that no byte of the file can change without failing verification.
 */
function profileProblem(signed: pkijs.SignedData, cmsDer: Buffer): string | null {
  const info = new pkijs.ContentInfo({
    contentType: pkijs.ContentInfo.SIGNED_DATA,
    content: signed.toSchema(true),
  });
  const reencoded = Buffer.from(info.toSchema().toBER(false));
  if (
    !reencoded.equals(cmsDer.subarray(0, reencoded.length)) ||
    cmsDer.subarray(reencoded.length).some((x) => x !== 0)
  ) {
    return 'the CMS signature is not in DER';
  }
  const signer = signed.signerInfos[0];
  const certificates = signed.certificates ?? [];
  const certificate = certificates[0];
  if (
    signed.version !== 1 ||
    signed.digestAlgorithms.length !== 1 ||
    signed.digestAlgorithms[0]?.algorithmId !== OID_SHA256 ||
    signed.encapContentInfo.eContentType !== OID_DATA ||
    signed.encapContentInfo.eContent !== undefined ||
    certificates.length !== 1 ||
    !(certificate instanceof pkijs.Certificate) ||
    signed.crls !== undefined ||
    signed.signerInfos.length !== 1 ||
    !signer ||
    signer.version !== 1 ||
    signer.unsignedAttrs !== undefined ||
    !(signer.sid instanceof pkijs.IssuerAndSerialNumber)
  ) {
    return 'the CMS signature is not in gara’s profile (PAdES-B-B, one signer, one certificate)';
  }
  const plainSha256 = (a: pkijs.AlgorithmIdentifier | undefined) =>
    a?.algorithmId === OID_SHA256 &&
    (a.algorithmParams === undefined || a.algorithmParams instanceof asn1js.Null);
  if (!plainSha256(signed.digestAlgorithms[0]) || !plainSha256(signer.digestAlgorithm)) {
    return 'the digest algorithm is not SHA-256';
  }
  const expectedSid = new pkijs.IssuerAndSerialNumber({
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
  })
    .toSchema()
    .toBER(false);
  if (!Buffer.from(signer.sid.toSchema().toBER(false)).equals(Buffer.from(expectedSid))) {
    return 'the signer identifier does not name the signing certificate';
  }
  const attributes = signer.signedAttrs?.attributes ?? [];
  const types = attributes.map((x) => x.type).sort();
  if (types.join() !== [OID_CONTENT_TYPE, OID_MESSAGE_DIGEST, OID_SIGNING_CERTIFICATE_V2].sort().join()) {
    return 'the signed attributes are not those of PAdES-B-B';
  }
  return null;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  const e = err as { message?: unknown };
  return typeof e?.message === 'string' ? e.message : String(err);
}
