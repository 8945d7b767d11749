import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import { importReportingFlow, type FlowReport } from './import-reporting-flow.js';

/**
 * Authority staff import a reporting flow as the PSP sent it (FlussoRiversamento 1.0.4 XML): read by
 * `deps.reportingFlows`, then imported (importing it again changes nothing).
 */
export async function importReportingFlowDocument(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'creditor' | 'reportingFlows'>,
  input: { xml: string },
  actor: Actor,
): Promise<FlowReport> {
  requireRole(actor, 'authority_staff', 'admin');
  const parsed = await deps.reportingFlows.read(input.xml);
  if (!parsed.ok) {
    throw new DomainError(
      'validation_failed',
      `the reporting flow is not valid: ${parsed.errors.slice(0, 5).join('; ')}`,
      { field: 'body', reason: 'invalid_flow' },
    );
  }
  return importReportingFlow(deps, { flow: parsed.flow, rawXml: input.xml }, actor);
}
