/** What the downtime-certificate use cases need from storage and from the signing adapter. */
import type {
  CertificateNotice,
  DowntimeCertificatePayload,
  ProbeEvidence,
  VerificationOutcome,
} from '../../domain/certificates/downtime-certificate.js';

export interface StoredCertificate {
  id: string;
  incidentId: string | null;
  maintenanceId: string | null;
  payload: DowntimeCertificatePayload;
  jws: string;
  issuedAt: Date;
}

export interface CertificateRepository {
  /** Inserts unless the incident or maintenance already has its certificate; true when inserted. */
  insertCertificate(
    c: Omit<StoredCertificate, 'payload'> & { payload: DowntimeCertificatePayload; pdf: Buffer },
  ): Promise<boolean>;
  findCertificate(id: string): Promise<StoredCertificate | undefined>;
  certificatePdf(id: string): Promise<Buffer | undefined>;
  /** Certificates of these incidents, by incident id. */
  certificatesOfIncidents(incidentIds: readonly string[]): Promise<Map<string, string>>;
  /** Resolved incidents and maintenances ended by `now` (not cancelled) without a certificate. */
  uncertified(now: Date, limit: number): Promise<{ incidents: string[]; maintenances: string[] }>;
  /** The probes' evidence of an incident. */
  probeEvidence(incidentId: string): Promise<ProbeEvidence[]>;
  /** Adds a probe's failed rounds to an incident's evidence (several processes add up). */
  recordProbeFailures(
    incidentId: string,
    probe: string,
    first: Date,
    last: Date,
    count: number,
  ): Promise<void>;
  /** The comunicati about an incident with the protocol numbers of the letters that relayed them. */
  noticesOfIncident(incidentId: string): Promise<CertificateNotice[]>;
  /** The comunicati announcing a maintenance (notices.maintenance_id), likewise. */
  noticesOfMaintenance(maintenanceId: string): Promise<CertificateNotice[]>;
}

/** Signs and verifies certificates with gara's key (the segnatura's key pair). */
export interface CertificateSigner {
  /** Compact JWS (ES256 or RS256, x5c = the signing certificate) of the payload. */
  signJws(payload: DowntimeCertificatePayload): Promise<string>;
  /** The Italian PDF, signed PAdES-B-B. */
  signedPdf(payload: DowntimeCertificatePayload): Promise<Buffer>;
  verifyJws(jws: string): Promise<VerificationOutcome>;
  verifyPdf(pdf: Buffer): Promise<VerificationOutcome>;
}
