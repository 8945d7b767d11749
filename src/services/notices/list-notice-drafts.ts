import { requireRole, type Actor, type ServiceDeps } from '../context.js';
import type { Notice } from './ports.js';

/** Drafted notices waiting for approval (e.g. restoration notices): for the staff who may approve or relay them. */
export async function listNoticeDrafts(deps: Pick<ServiceDeps, 'store'>, actor: Actor): Promise<Notice[]> {
  requireRole(actor, 'authority_staff', 'admin', 'regional_staff');
  return deps.store.notices.listDrafts();
}
