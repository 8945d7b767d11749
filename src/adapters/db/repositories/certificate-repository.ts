import { sql } from 'kysely';
import type { Database } from '../database.js';
import type { CertificateRepository, StoredCertificate } from '../../../services/certificates/ports.js';
import type {
  CertificateNotice,
  DowntimeCertificatePayload,
} from '../../../domain/certificates/downtime-certificate.js';
import { protocolLabel } from '../../../services/notices/protocol-register.js';

interface CertificateRow {
  id: string;
  incident_id: string | null;
  maintenance_id: string | null;
  payload: DowntimeCertificatePayload | string;
  jws: string;
  issued_at: Date;
}

const toCertificate = (r: CertificateRow): StoredCertificate => ({
  id: r.id,
  incidentId: r.incident_id,
  maintenanceId: r.maintenance_id,
  payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as DowntimeCertificatePayload) : r.payload,
  jws: r.jws,
  issuedAt: new Date(r.issued_at),
});

const iso = (d: Date | string) => new Date(d).toISOString().replace('.000Z', 'Z');

/** Downtime certificates (append-only, migration 0018) and the probes' evidence they quote. */
export function certificateRepository(db: Database): CertificateRepository {
  return {
    async insertCertificate(c) {
      const { rows } = await sql<{ id: string }>`
        INSERT INTO downtime_certificates (id, incident_id, maintenance_id, payload, jws, pdf, issued_at)
        VALUES (${c.id}, ${c.incidentId}, ${c.maintenanceId}, ${JSON.stringify(c.payload)}::jsonb, ${c.jws},
                ${c.pdf}, ${c.issuedAt})
        ON CONFLICT DO NOTHING
        RETURNING id`.execute(db);
      return rows.length === 1;
    },

    async findCertificate(id) {
      const { rows } = await sql<CertificateRow>`
        SELECT id, incident_id, maintenance_id, payload, jws, issued_at
          FROM downtime_certificates WHERE id = ${id}`.execute(db);
      return rows[0] && toCertificate(rows[0]);
    },

    async certificatePdf(id) {
      const { rows } = await sql<{ pdf: Uint8Array }>`
        SELECT pdf FROM downtime_certificates WHERE id = ${id}`.execute(db);
      return rows[0] && Buffer.from(rows[0].pdf);
    },

    async certificatesOfIncidents(incidentIds) {
      if (incidentIds.length === 0) return new Map();
      const { rows } = await sql<{ id: string; incident_id: string }>`
        SELECT id, incident_id FROM downtime_certificates
         WHERE incident_id IN (${sql.join(incidentIds)})`.execute(db);
      return new Map(rows.map((r) => [r.incident_id, r.id]));
    },

    async uncertified(now, limit) {
      const incidents = await sql<{ id: string }>`
        SELECT i.id FROM incidents i
         WHERE i.state = 'resolved'
           AND NOT EXISTS (SELECT 1 FROM downtime_certificates c WHERE c.incident_id = i.id)
         ORDER BY i.resolved_at LIMIT ${limit}`.execute(db);
      const maintenances = await sql<{ id: string }>`
        SELECT m.id FROM maintenances m
         WHERE m.cancelled_at IS NULL AND m.ends_at <= ${now}
           AND NOT EXISTS (SELECT 1 FROM downtime_certificates c WHERE c.maintenance_id = m.id)
         ORDER BY m.ends_at LIMIT ${limit}`.execute(db);
      return { incidents: incidents.rows.map((r) => r.id), maintenances: maintenances.rows.map((r) => r.id) };
    },

    async probeEvidence(incidentId) {
      const { rows } = await sql<{
        probe: string;
        first_failure_at: Date;
        last_failure_at: Date;
        failures: number;
      }>`
        SELECT probe, first_failure_at, last_failure_at, failures FROM probe_evidence
         WHERE incident_id = ${incidentId} ORDER BY probe`.execute(db);
      return rows.map((r) => ({
        probe: r.probe,
        firstFailureAt: iso(r.first_failure_at),
        lastFailureAt: iso(r.last_failure_at),
        failures: Number(r.failures),
      }));
    },

    async recordProbeFailures(incidentId, probe, first, last, count) {
      await sql`
        INSERT INTO probe_evidence (incident_id, probe, first_failure_at, last_failure_at, failures)
        VALUES (${incidentId}, ${probe}, ${first}, ${last}, ${count})
        ON CONFLICT (incident_id, probe) DO UPDATE SET
          first_failure_at = least(probe_evidence.first_failure_at, excluded.first_failure_at),
          last_failure_at = greatest(probe_evidence.last_failure_at, excluded.last_failure_at),
          failures = probe_evidence.failures + excluded.failures`.execute(db);
    },

    noticesOfIncident: (incidentId) => noticesAbout(db, 'incident_id', incidentId),
    noticesOfMaintenance: (maintenanceId) => noticesAbout(db, 'maintenance_id', maintenanceId),
  };
}

/** The published comunicati naming an incident or a maintenance, with their relays' protocol numbers. */
async function noticesAbout(
  db: Database,
  column: 'incident_id' | 'maintenance_id',
  id: string,
): Promise<CertificateNotice[]> {
  const { rows } = await sql<{
    id: string;
    title: string;
    kind: string;
    notice_date: string | Date;
    published_at: Date | null;
    aoo_code: string | null;
    number: number | null;
  }>`
    SELECT n.id, n.title, n.kind, n.notice_date::text AS notice_date, n.published_at, p.aoo_code, p.number
      FROM notices n
      LEFT JOIN relays r ON r.notice_id = n.id
      LEFT JOIN protocol_registrations p ON p.id = r.registration_id
     WHERE ${sql.ref(`n.${column}`)} = ${id} AND n.state = 'published'
     ORDER BY n.published_at, n.id, p.aoo_code, p.number`.execute(db);
  const byId = new Map<string, ReturnType<typeof toNotice>>();
  function toNotice(r: (typeof rows)[number]) {
    return {
      id: r.id,
      title: r.title,
      kind: r.kind,
      noticeDate: String(r.notice_date).slice(0, 10),
      publishedAt: r.published_at ? iso(r.published_at) : null,
      protocolNumbers: [] as string[],
    };
  }
  for (const r of rows) {
    const notice = byId.get(r.id) ?? toNotice(r);
    byId.set(r.id, notice);
    if (r.aoo_code && r.number !== null)
      notice.protocolNumbers.push(protocolLabel(r.aoo_code, Number(r.number)));
  }
  return [...byId.values()];
}
