import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { Relay } from './ports.js';

/** The relays of notices to the RUPs: a section's staff see their section's, administrators every one. */
export async function listRelays(deps: Pick<ServiceDeps, 'store'>, actor: Actor): Promise<Relay[]> {
  const staff = requireRole(actor, 'regional_staff', 'admin');
  return deps.store.relays.listRelays(
    staff.role === 'regional_staff' ? { regionalSectionCode: staff.regionalSectionCode ?? '' } : {},
  );
}
