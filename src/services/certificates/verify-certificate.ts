import {
  verificationMessages,
  type VerificationOutcome,
} from '../../domain/certificates/downtime-certificate.js';
import type { CertificateSigner } from './ports.js';

/** The most a verification reads: gara's certificates are ~20 KB; anything this big is not one. */
export const MAX_VERIFIED_BYTES = 2 * 1024 * 1024;

/**
 * Verifies a downtime certificate file — the signed PDF (PAdES) or the signed JSON (JWS, compact or
 * flattened JSON serialization) — against gara's configured signing certificate. Anyone may ask.
 */
export async function verifyCertificate(
  deps: { certificates: Pick<CertificateSigner, 'verifyPdf' | 'verifyJws'> },
  file: Buffer,
): Promise<VerificationOutcome> {
  if (file.subarray(0, 5).toString('latin1') === '%PDF-') return deps.certificates.verifyPdf(file);
  const text = file.length <= MAX_VERIFIED_BYTES ? file.toString('utf8').trim() : '';
  if (text.startsWith('{') || /^[A-Za-z0-9_-]+\./.test(text)) return deps.certificates.verifyJws(text);
  return {
    valid: false,
    format: 'unknown',
    failure: 'not_a_certificate',
    detail: verificationMessages.not_a_certificate.en,
  };
}
