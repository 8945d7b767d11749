import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { MaintenanceRecord } from './ports.js';

/** Maintenance windows of the last `days` days and those to come, latest start first: for the staff. */
export async function listRecentMaintenances(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  input: { days: number },
  actor: Actor,
): Promise<MaintenanceRecord[]> {
  requireRole(actor, 'authority_staff', 'regional_staff', 'admin');
  const since = new Date(deps.clock.now().getTime() - input.days * 86_400_000);
  return (await deps.store.maintenances.listMaintenances({ since })).sort(
    (a, b) => b.startsAt.getTime() - a.startsAt.getTime(),
  );
}
