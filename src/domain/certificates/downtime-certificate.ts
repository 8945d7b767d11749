/**
 * The downtime certificate ("attestazione di disservizio", issue 14): what gara states, signed, about
 * one outage window — a resolved incident or an ended maintenance — so that a RUP can extend a bid
 * deadline (d.lgs. 36/2023 art. 25 c.2) or admit a late payment. The JSON field names are stable (they
 * are what the JWS signs); the Italian labels belong to the PDF only.
 */
import { romeLocalDateTime } from '../shared/dates.js';

export const CERTIFICATE_TYPE = 'gara/downtime-certificate';
export const CERTIFICATE_VERSION = 1;

export interface CertificateInstant {
  /** ISO 8601 in UTC (Z). */
  utc: string;
  /** ISO 8601 in Rome wall-clock time with its offset (+01:00 / +02:00). */
  europeRome: string;
}

export interface ProbeEvidence {
  probe: string;
  firstFailureAt: string;
  lastFailureAt: string;
  failures: number;
}

export interface CertificateNotice {
  id: string;
  title: string;
  kind: string;
  noticeDate: string;
  publishedAt: string | null;
  /** Protocol numbers of the letters that relayed it (`AOO_092/0001228`), one per regional section. */
  protocolNumbers: string[];
}

export interface DowntimeCertificatePayload {
  type: typeof CERTIFICATE_TYPE;
  version: typeof CERTIFICATE_VERSION;
  id: string;
  subject:
    | { kind: 'incident'; id: string; code: string; title: string; impact: string; source: 'staff' | 'probe' }
    | { kind: 'maintenance'; id: string; title: string; description: string };
  services: { code: string; name: string }[];
  start: CertificateInstant;
  end: CertificateInstant;
  durationMinutes: number;
  /** What the probes saw (automatic incidents); empty when staff recorded the window. */
  evidence: ProbeEvidence[];
  notices: CertificateNotice[];
  issuer: { name: string; unit: string };
  issuedAt: CertificateInstant;
}

/** `ATT-INC-2026-0003` for an incident, `ATT-MAN-<uuid>` for a maintenance: known before issuance. */
export function certificateIdFor(
  subject: { kind: 'incident'; code: string } | { kind: 'maintenance'; id: string },
) {
  return subject.kind === 'incident' ? `ATT-${subject.code}` : `ATT-MAN-${subject.id}`;
}

export const CERTIFICATE_ID_PATTERN = /^ATT-(INC-[0-9]{4}-[0-9]{4,}|MAN-[0-9a-f-]{36})$/;

/** The instant in UTC and in Rome time with its offset. */
export function certificateInstant(at: Date): CertificateInstant {
  const whole = new Date(Math.floor(at.getTime() / 1000) * 1000);
  const local = romeLocalDateTime(whole);
  const offsetMinutes = Math.round((Date.parse(`${local}Z`) - whole.getTime()) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return { utc: `${whole.toISOString().slice(0, 19)}Z`, europeRome: `${local}${offset}` };
}

export function durationMinutes(start: Date, end: Date): number {
  return Math.max(0, Math.round((end.getTime() - start.getTime()) / 60_000));
}

/** Why a file does not verify; each has an English and an Italian sentence. */
export type VerificationFailure =
  | 'not_a_certificate'
  | 'no_signature'
  | 'malformed_signature'
  | 'content_changed'
  | 'signature_invalid'
  | 'unknown_signer';

export const verificationMessages: Record<VerificationFailure, { en: string; it: string }> = {
  not_a_certificate: {
    en: 'the file is neither a PDF nor a signed JSON (JWS) certificate',
    it: 'Il file non è un PDF né un’attestazione JSON firmata (JWS).',
  },
  no_signature: {
    en: 'the file carries no signature',
    it: 'Il file non contiene alcuna firma.',
  },
  malformed_signature: {
    en: 'the signature is malformed or incomplete',
    it: 'La firma è malformata o incompleta.',
  },
  content_changed: {
    en: 'the document was changed after it was signed: its content does not match the signature',
    it: 'Il documento è stato modificato dopo la firma: il contenuto non corrisponde alla firma.',
  },
  signature_invalid: {
    en: 'the signature does not verify with the certificate it carries',
    it: 'La firma non è valida con il certificato che la accompagna.',
  },
  unknown_signer: {
    en: 'the signature is not gara’s: the signing certificate is not the configured one',
    it: 'La firma non è di gara: il certificato di firma non è quello configurato.',
  },
};

export type VerificationOutcome =
  | {
      valid: true;
      format: 'pdf' | 'jws';
      /** The signing certificate's subject, e.g. `CN=gara, O=…, C=IT`. */
      signer: string;
      /** The certificate's id when the file names it (the JWS payload, the PDF's signature reason). */
      certificateId: string | null;
      signedAt: Date | null;
    }
  | { valid: false; format: 'pdf' | 'jws' | 'unknown'; failure: VerificationFailure; detail: string };
