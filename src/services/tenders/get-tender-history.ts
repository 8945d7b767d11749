import { notFound } from '../../domain/shared/errors.js';
import { canSeeAuthority, type Actor, type ServiceDeps } from '../context.js';
import type { AuditRecord } from '../ports.js';

/** A tender's audit trail, for those who may see the tender (others get "not found"). */
export async function getTenderHistory(
  deps: Pick<ServiceDeps, 'store'>,
  tenderNumber: number,
  actor: Actor,
): Promise<AuditRecord[]> {
  const tender = await deps.store.tenders.findByNumber(tenderNumber);
  if (!tender || !canSeeAuthority(actor, tender.contractingAuthorityId, tender.regionalSectionCode)) {
    throw notFound(`tender ${tenderNumber}`);
  }
  return deps.store.audit.listForEntity('tender', String(tender.tenderNumber));
}
