/**
 * Signs downtime certificates with gara's key — the segnatura's pair (`signing-key.ts`, config
 * `segnaturaKeyDir`): the JSON as a JWS (`jose`; ES256 for the default P-256 key, RS256 for an RSA
 * seal; the certificate in the x5c header) and the PDF as PAdES-B-B (`pades.ts`). Verification accepts
 * the configured certificate itself or one it issued.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader, errors as joseErrors } from 'jose';
import { SignPdf } from '@signpdf/signpdf';
import type { DowntimeCertificatePayload } from '../../domain/certificates/downtime-certificate.js';
import type { CertificateSigner } from '../../services/certificates/ports.js';
import { renderCertificatePdf } from '../pdf/downtime-certificate-pdf.js';
import { PadesSigner, failureOf, pemToDer, verifyPades, type SigningKeyPem } from './pades.js';

const fail = failureOf('jws');

/** A flattened JWS JSON serialization ({protected, payload, signature}) or a compact one, as compact. */
export function compactJwsOf(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const json = JSON.parse(trimmed) as Record<string, unknown>;
      const parts = [json.protected, json.payload, json.signature];
      return parts.every((p) => typeof p === 'string') ? parts.join('.') : null;
    } catch {
      return null;
    }
  }
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(trimmed) ? trimmed : null;
}

export function createCertificateSigner(key: SigningKeyPem): CertificateSigner {
  const privateKey = createPrivateKey(key.privateKeyPem);
  const alg = privateKey.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
  const x5c = [pemToDer(key.certificatePem).toString('base64')];
  const pades = new PadesSigner(key);
  return {
    async signJws(payload) {
      return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg, typ: 'JOSE', cty: 'application/json', x5c })
        .sign(privateKey);
    },
    async signedPdf(payload) {
      return new SignPdf().sign(await renderCertificatePdf(payload), pades);
    },
    ...createCertificateVerifier(key.certificatePem),
  };
}

/** Verification only, against gara's certificate (PEM): what `gara attestazione verify` needs. */
export function createCertificateVerifier(
  trustedCertPem: string,
): Pick<CertificateSigner, 'verifyJws' | 'verifyPdf'> {
  const trusted = new X509Certificate(trustedCertPem);
  const subjectOf = (c: X509Certificate) => c.subject.replace(/\n/g, ', ');
  return {
    async verifyJws(text) {
      const jws = compactJwsOf(text);
      if (!jws) return { valid: false, format: 'unknown', failure: 'not_a_certificate', detail: 'not a JWS' };
      let carried: X509Certificate;
      try {
        const header = decodeProtectedHeader(jws);
        const first = header.x5c?.[0];
        if (!first) return fail('malformed_signature', 'the JWS header has no x5c certificate');
        if (header.alg !== 'ES256' && header.alg !== 'RS256') {
          return fail('malformed_signature', `algorithm ${String(header.alg)} is not accepted`);
        }
        carried = new X509Certificate(Buffer.from(first, 'base64'));
      } catch (err) {
        return fail('malformed_signature', `the JWS header cannot be read (${(err as Error).message})`);
      }
      let payload: DowntimeCertificatePayload;
      try {
        const verified = await compactVerify(jws, carried.publicKey, { algorithms: ['ES256', 'RS256'] });
        payload = JSON.parse(new TextDecoder().decode(verified.payload)) as DowntimeCertificatePayload;
      } catch (err) {
        if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
          return fail('content_changed', 'the JWS signature does not match its header and payload');
        }
        return fail('malformed_signature', `the JWS cannot be read (${(err as Error).message})`);
      }
      const same = carried.raw.equals(trusted.raw);
      if (!same && !(carried.checkIssued(trusted) && carried.verify(trusted.publicKey))) {
        return fail('unknown_signer', `signed by ${subjectOf(carried)}`);
      }
      return {
        valid: true,
        format: 'jws',
        signer: subjectOf(carried),
        certificateId: typeof payload.id === 'string' ? payload.id : null,
        signedAt: payload.issuedAt?.utc ? new Date(payload.issuedAt.utc) : null,
      };
    },

    verifyPdf: (pdf) => verifyPades(pdf, trustedCertPem),
  };
}
