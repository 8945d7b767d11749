import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { IncidentRecord } from './ports.js';

/** Incidents of any service that touch the last `days` days (up to now): for the staff who record them. */
export async function listRecentIncidents(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  input: { days: number },
  actor: Actor,
): Promise<IncidentRecord[]> {
  requireRole(actor, 'authority_staff', 'regional_staff', 'admin');
  const now = deps.clock.now();
  const services = (await deps.store.incidents.services()).map((s) => s.code);
  return deps.store.incidents.incidentsTouching(
    services,
    new Date(now.getTime() - input.days * 86_400_000),
    new Date(now.getTime() + 1),
  );
}
