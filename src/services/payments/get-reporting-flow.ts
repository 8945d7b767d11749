import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { FlowReport } from './import-reporting-flow.js';

/** The report of an imported reporting flow (Authority staff). */
export async function getReportingFlow(
  deps: Pick<ServiceDeps, 'store'>,
  flowId: string,
  actor: Actor,
): Promise<FlowReport> {
  requireRole(actor, 'authority_staff', 'admin');
  const flow = await deps.store.flows.findFlow(flowId);
  if (!flow) throw new DomainError('not_found', `reporting flow ${flowId} not found`);
  return { ...flow, alreadyImported: true };
}
