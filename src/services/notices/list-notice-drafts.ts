import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { Notice } from './ports.js';

/** Drafted notices (restoration notices waiting for approval): for the Authority's and the sections' staff. */
export async function listNoticeDrafts(deps: Pick<ServiceDeps, 'store'>, actor: Actor): Promise<Notice[]> {
  requireRole(actor, 'authority_staff', 'admin', 'regional_staff');
  return deps.store.notices.listDrafts();
}
