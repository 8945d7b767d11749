import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import { listProvisional } from './list-provisional.js';
import type { ProvisionalProcedure } from './ports.js';

/** A regional section's overdue regularisations: for its own staff, the Authority's staff and admins. */
export async function listOverdueRegularisations(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  sectionCode: string,
  actor: Actor,
): Promise<ProvisionalProcedure[]> {
  const user = requireRole(actor, 'regional_staff', 'authority_staff', 'admin');
  // Another section's list is not found (404), as every resource outside the caller's section.
  if (user.role === 'regional_staff' && user.regionalSectionCode !== sectionCode) {
    throw new DomainError('not_found', `overdue regularisations of section ${sectionCode} not found`);
  }
  return listProvisional(deps, { overdue: true, regionalSection: sectionCode }, actor);
}
