import { romeDateOf } from '../../domain/shared/dates.js';
import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { ProvisionalProcedure } from './ports.js';

/** Pending procedures of the RUP's authority (or of a region, or all, for staff), soonest deadline first. */
export async function listProvisional(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  filter: {
    state?: 'pending' | 'regularised' | undefined;
    overdue?: boolean | undefined;
    regionalSection?: string | undefined;
  },
  actor: Actor,
): Promise<ProvisionalProcedure[]> {
  const user = requireRole(actor, 'rup', 'regional_staff', 'authority_staff', 'admin');
  const today = romeDateOf(deps.clock.now());
  return deps.store.provisionalProcedures.listProvisional({
    state: filter.overdue ? 'pending' : filter.state,
    deadlineBefore: filter.overdue ? today : undefined,
    ...(user.role === 'rup' ? { contractingAuthorityId: user.contractingAuthorityId ?? '' } : {}),
    ...(user.role === 'regional_staff'
      ? { regionalSectionCode: user.regionalSectionCode ?? '' }
      : { regionalSectionCode: filter.regionalSection }),
  });
}
