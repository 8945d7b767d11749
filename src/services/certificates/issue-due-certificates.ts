import type { ServiceDeps } from '../context.js';
import { issueIncidentCertificate, issueMaintenanceCertificate } from './issue-certificate.js';

/**
 * The catch-up job: certificates of maintenances that have ended (they end by the clock, with no event)
 * and of any resolved incident without one (resolved before migration 0018). Each in its own
 * transaction; safe in several processes (one certificate per subject, ON CONFLICT DO NOTHING).
 */
export async function issueDueCertificates(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'certificates' | 'creditor'>,
  options: { limit?: number } = {},
): Promise<{ issued: string[] }> {
  const now = deps.clock.now();
  const due = await deps.store.certificates.uncertified(now, options.limit ?? 50);
  const issued: string[] = [];
  for (const incidentId of due.incidents) {
    const id = await deps.store.transaction(async (store) => {
      const incident = await store.continuity.findIncident(incidentId);
      return incident ? issueIncidentCertificate(store, deps, incident, now) : null;
    });
    if (id) issued.push(id);
  }
  if (due.maintenances.length > 0) {
    const wanted = new Set(due.maintenances);
    const ended = (await deps.store.continuity.listMaintenances({ since: new Date(0) })).filter((m) =>
      wanted.has(m.id),
    );
    for (const maintenance of ended) {
      const id = await deps.store.transaction((store) =>
        issueMaintenanceCertificate(store, deps, maintenance, now),
      );
      if (id) issued.push(id);
    }
  }
  return { issued };
}
