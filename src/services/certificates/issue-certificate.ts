import {
  CERTIFICATE_TYPE,
  CERTIFICATE_VERSION,
  certificateIdFor,
  certificateInstant,
  durationMinutes,
  type DowntimeCertificatePayload,
} from '../../domain/certificates/downtime-certificate.js';
import type { ServiceDeps } from '../context.js';
import type { IncidentRecord, MaintenanceRecord } from '../continuity/ports.js';
import type { Store } from '../ports.js';

export type IssueDeps = Pick<ServiceDeps, 'certificates' | 'creditor'>;

const ISSUER_UNIT = 'Servizi on line - attestazioni dello stato dei servizi';

async function serviceNames(store: Store, codes: readonly string[]) {
  const all = await store.continuity.services();
  return [...codes]
    .sort((a, b) => all.findIndex((s) => s.code === a) - all.findIndex((s) => s.code === b))
    .map((code) => ({ code, name: all.find((s) => s.code === code)?.name ?? code }));
}

/** What every certificate states besides its subject and evidence. */
async function common(
  store: Store,
  deps: IssueDeps,
  window: { services: readonly string[]; start: Date; end: Date },
  now: Date,
) {
  return {
    type: CERTIFICATE_TYPE,
    version: CERTIFICATE_VERSION,
    services: await serviceNames(store, window.services),
    start: certificateInstant(window.start),
    end: certificateInstant(window.end),
    durationMinutes: durationMinutes(window.start, window.end),
    issuer: { name: deps.creditor.name, unit: ISSUER_UNIT },
    issuedAt: certificateInstant(now),
  } as const;
}

/** Signs the payload (JWS and PAdES PDF) and stores it; false when the subject already had one. */
async function sign(
  store: Store,
  deps: IssueDeps,
  payload: DowntimeCertificatePayload,
  subject: { incidentId: string | null; maintenanceId: string | null },
  now: Date,
): Promise<boolean> {
  const [jws, pdf] = await Promise.all([
    deps.certificates.signJws(payload),
    deps.certificates.signedPdf(payload),
  ]);
  return store.certificates.insertCertificate({
    id: payload.id,
    ...subject,
    payload,
    jws,
    pdf,
    issuedAt: now,
  });
}

/**
 * The certificate of a resolved incident, in the caller's transaction (`updateIncident` calls it when
 * it resolves one; the catch-up job for any left behind). Idempotent: one per incident (unique).
 */
export async function issueIncidentCertificate(
  store: Store,
  deps: IssueDeps,
  incident: IncidentRecord,
  now: Date,
): Promise<string | null> {
  if (!incident.resolvedAt) return null;
  const id = certificateIdFor({ kind: 'incident', code: incident.code });
  if (await store.certificates.findCertificate(id)) return id;
  const payload: DowntimeCertificatePayload = {
    ...(await common(
      store,
      deps,
      { services: incident.services, start: incident.startedAt, end: incident.resolvedAt },
      now,
    )),
    id,
    subject: {
      kind: 'incident',
      id: incident.id,
      code: incident.code,
      title: incident.title,
      impact: incident.impact,
      source: incident.source,
    },
    evidence: await store.certificates.probeEvidence(incident.id),
    notices: await store.certificates.noticesOfIncident(incident.id),
  };
  await sign(store, deps, payload, { incidentId: incident.id, maintenanceId: null }, now);
  return id;
}

/** The certificate of an ended (not cancelled) maintenance. Idempotent: one per maintenance. */
export async function issueMaintenanceCertificate(
  store: Store,
  deps: IssueDeps,
  maintenance: MaintenanceRecord,
  now: Date,
): Promise<string | null> {
  if (maintenance.cancelledAt || maintenance.endsAt > now) return null;
  const id = certificateIdFor({ kind: 'maintenance', id: maintenance.id });
  if (await store.certificates.findCertificate(id)) return id;
  const payload: DowntimeCertificatePayload = {
    ...(await common(
      store,
      deps,
      { services: maintenance.services, start: maintenance.startsAt, end: maintenance.endsAt },
      now,
    )),
    id,
    subject: {
      kind: 'maintenance',
      id: maintenance.id,
      title: maintenance.title,
      description: maintenance.description,
    },
    evidence: [],
    notices: await store.certificates.noticesOfMaintenance(maintenance.id),
  };
  await sign(store, deps, payload, { incidentId: null, maintenanceId: maintenance.id }, now);
  return id;
}
