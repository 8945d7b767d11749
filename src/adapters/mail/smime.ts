import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * S/MIME signature check of a PEC receipt (pkijs over Node's WebCrypto). A PEC provider signs every
 * receipt with its certificate; the signature is trusted when it verifies over the signed content and
 * the signer's certificate is one of the trust anchors or chains to one (`PEC_TRUST_DIR`: PEM files, the
 * providers' certificates of AgID's public list of PEC providers, or their CAs).
 *
 * Both S/MIME forms are read: `multipart/signed` (detached `application/(x-)pkcs7-signature`, what the
 * providers send) and opaque `application/(x-)pkcs7-mime` (the signed entity inside the CMS).
 * No revocation is checked (the providers' lists carry no CRL endpoints one can rely on offline).
 */
export type SignatureCheck =
  | { verified: true; signer: string; signedEntity: Buffer }
  | { verified: false; problem: string; signedEntity: Buffer | null };

/** The trust anchors: every certificate in the PEM files (`*.pem`, `*.crt`) of a folder. */
export function loadTrustAnchors(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const pems: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!/\.(pem|crt|cer)$/i.test(name)) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
      new X509Certificate(m[0]); // a malformed file stops the start, naming the problem
      pems.push(m[0]);
    }
  }
  return pems;
}

function pemToDer(pem: string): ArrayBuffer {
  const b64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

interface MimeEntity {
  headers: Map<string, string>;
  /** the body, bytes as latin1 */
  body: string;
}

/** Splits an entity (CRLF line ends) into unfolded headers (lower-case names) and body. */
function splitEntity(entity: string): MimeEntity {
  const end = entity.indexOf('\r\n\r\n');
  const head = end < 0 ? entity : entity.slice(0, end);
  const body = end < 0 ? '' : entity.slice(end + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function contentType(e: MimeEntity): { type: string; boundary: string | null } {
  const value = e.headers.get('content-type') ?? 'text/plain';
  const type = (value.split(';')[0] ?? '').trim().toLowerCase();
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(value);
  return { type, boundary: boundary ? (boundary[1] ?? boundary[2] ?? null) : null };
}

/** The parts of a multipart body, each exactly as written (without the CRLF before its delimiter). */
function multipartParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  // the first delimiter may start the body; the others follow a CRLF
  let start = body.startsWith(delimiter) ? 0 : body.indexOf(`\r\n${delimiter}`);
  if (start < 0) return parts;
  if (start > 0) start += 2;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', start);
    if (lineEnd < 0) return parts;
    const next = body.indexOf(`\r\n${delimiter}`, lineEnd);
    if (next < 0) return parts;
    parts.push(body.slice(lineEnd + 2, next));
    const after = next + 2 + delimiter.length;
    if (body.startsWith('--', after)) return parts;
    start = next + 2;
  }
}

function decodeBody(e: MimeEntity): Buffer {
  const cte = (e.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (cte === 'base64') return Buffer.from(e.body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  return Buffer.from(e.body, 'latin1');
}

function describe(cert: pkijs.Certificate): string {
  const cn = cert.subject.typesAndValues.find((t) => t.type === '2.5.4.3');
  const o = cert.subject.typesAndValues.find((t) => t.type === '2.5.4.10');
  const name = [cn, o].map((t) => (t ? String(t.value.valueBlock.value) : '')).filter(Boolean);
  return name.join(', ') || 'unnamed certificate';
}

export interface SmimeVerifier {
  verify(raw: Buffer, at: Date): Promise<SignatureCheck>;
}

export function smimeVerifier(trustPems: readonly string[]): SmimeVerifier {
  const anchors = trustPems.map((pem) => pkijs.Certificate.fromBER(pemToDer(pem)));
  const anchorDer = new Set(anchors.map((c) => Buffer.from(c.toSchema().toBER(false)).toString('base64')));

  async function check(
    cmsDer: Buffer,
    detached: Buffer | null,
    at: Date,
  ): Promise<{ ok: true; signer: string; content: Buffer } | { ok: false; problem: string }> {
    let signed: pkijs.SignedData;
    try {
      const info = pkijs.ContentInfo.fromBER(toArrayBuffer(cmsDer));
      if (info.contentType !== pkijs.ContentInfo.SIGNED_DATA) {
        return { ok: false, problem: 'the S/MIME part is not CMS SignedData' };
      }
      signed = new pkijs.SignedData({ schema: info.content as asn1js.Sequence });
    } catch (err) {
      return { ok: false, problem: `the S/MIME signature cannot be read (${messageOf(err)})` };
    }
    if (signed.signerInfos.length !== 1) {
      return { ok: false, problem: `the S/MIME signature has ${signed.signerInfos.length} signers, not 1` };
    }
    let content: Buffer;
    if (detached) content = detached;
    else {
      const e = signed.encapContentInfo.eContent;
      if (!e) return { ok: false, problem: 'the opaque S/MIME signature carries no content' };
      content = Buffer.from(e.getValue());
    }
    let result: pkijs.SignedDataVerifyResult;
    try {
      result = await signed.verify({
        signer: 0,
        ...(detached ? { data: toArrayBuffer(detached) } : {}),
        trustedCerts: anchors,
        checkChain: false,
        checkDate: at,
        extendedMode: true,
      });
    } catch (err) {
      const e = err as Partial<pkijs.SignedDataVerifyError>;
      return { ok: false, problem: `the S/MIME signature does not verify (${e.message ?? messageOf(err)})` };
    }
    const cert = result.signerCertificate;
    if (!result.signatureVerified || !cert) {
      return { ok: false, problem: 'the S/MIME signature does not verify over the signed content' };
    }
    const signer = describe(cert);
    if (anchorDer.has(Buffer.from(cert.toSchema().toBER(false)).toString('base64'))) {
      if (at < cert.notBefore.value || at > cert.notAfter.value) {
        return {
          ok: false,
          problem: `the signer's certificate (${signer}) is not valid at ${at.toISOString()}`,
        };
      }
      return { ok: true, signer, content };
    }
    const others = (signed.certificates ?? []).filter(
      (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
    );
    try {
      const chain = await new pkijs.CertificateChainValidationEngine({
        trustedCerts: anchors,
        certs: [...others.filter((c) => c !== cert), cert],
        checkDate: at,
      }).verify({ passedWhenNotRevValues: true });
      if (!chain.result) {
        return {
          ok: false,
          problem: `the signer's certificate (${signer}) is not from a trusted PEC provider: ${chain.resultMessage}`,
        };
      }
    } catch (err) {
      return {
        ok: false,
        problem: `the signer's certificate (${signer}) is not from a trusted PEC provider: ${messageOf(err)}`,
      };
    }
    return { ok: true, signer, content };
  }

  return {
    async verify(raw, at) {
      // S/MIME signs the canonical form: CRLF line ends
      const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
      const top = splitEntity(text);
      const { type, boundary } = contentType(top);
      if (anchors.length === 0) {
        return {
          verified: false,
          problem: 'no PEC provider certificate is configured (PEC_TRUST_DIR)',
          signedEntity: null,
        };
      }
      if (type === 'multipart/signed') {
        if (!boundary)
          return { verified: false, problem: 'multipart/signed without a boundary', signedEntity: null };
        const [content, signature] = multipartParts(top.body, boundary);
        if (content === undefined || signature === undefined) {
          return { verified: false, problem: 'multipart/signed without two parts', signedEntity: null };
        }
        const sigPart = splitEntity(signature);
        if (!/^application\/(x-)?pkcs7-signature$/.test(contentType(sigPart).type)) {
          return {
            verified: false,
            problem: 'the second part of multipart/signed is not a PKCS#7 signature',
            signedEntity: null,
          };
        }
        const signedEntity = Buffer.from(content, 'latin1');
        const r = await check(decodeBody(sigPart), signedEntity, at);
        return r.ok
          ? { verified: true, signer: r.signer, signedEntity }
          : { verified: false, problem: r.problem, signedEntity };
      }
      if (/^application\/(x-)?pkcs7-mime$/.test(type)) {
        const r = await check(decodeBody(top), null, at);
        return r.ok
          ? { verified: true, signer: r.signer, signedEntity: r.content }
          : { verified: false, problem: r.problem, signedEntity: null };
      }
      return { verified: false, problem: 'the receipt is not S/MIME signed', signedEntity: null };
    },
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
