import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type Actor, type ServiceDeps } from '../context.js';
import type { AuditRecord } from '../ports.js';

/** A lot's audit trail, for those who may see the lot (others get "not found"). */
export async function getLotHistory(
  deps: Pick<ServiceDeps, 'store'>,
  cig: string,
  actor: Actor,
): Promise<AuditRecord[]> {
  const lot = await deps.store.lots.findByCig(cig);
  if (!lot || !canSeeAuthority(actor, lot.contractingAuthorityId, lot.regionalSectionCode)) {
    throw notFound(`lot with CIG ${cig}`);
  }
  return deps.store.audit.listForEntity('lot', lot.cig);
}
