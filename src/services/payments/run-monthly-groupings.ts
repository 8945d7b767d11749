import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import { buildMonthlyGroupings } from './build-groupings.js';

/** Authority staff build a period's monthly groupings now (the job does it every month). */
export async function runMonthlyGroupings(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'creditor'>,
  input: { period: string },
  actor: Actor,
): Promise<{ period: string; created: number; tenders: number }> {
  requireRole(actor, 'authority_staff', 'admin');
  return buildMonthlyGroupings(deps, input.period);
}
