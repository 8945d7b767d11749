import { pcpCigFromOrdinal } from '../../domain/cig/cig.js';
import { DomainError, notFound } from '../../domain/shared/errors.js';
import { perfectionDeadline } from '../../domain/tenders/tender-rules.js';
import { audit, canSeeAuthority, requireRole, type Actor, type ServiceDeps, type UserActor } from '../context.js';
import type { Lot, LotTender } from '../ports.js';
import { checkLot, type CheckedLot, type LotInput } from './lot-input.js';
import { presentLotAudit } from './tender-audit.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals'>;

/** A RUP adds a lot to an active tender of their contracting authority and gets its CIG. */
export async function issueLot(deps: Deps, input: { tenderNumber: number; lot: LotInput }, actor: Actor): Promise<Lot> {
  const rup = requireRole(actor, 'rup');
  const now = deps.clock.now();
  const checked = await checkLot(deps.store.reference, input.lot, now);
  return deps.store.transaction(async (store) => {
    const taken = await store.tenders.takeLotNumber(input.tenderNumber, rup.contractingAuthorityId, now);
    if (!taken) {
      const tender = await store.tenders.findByNumber(input.tenderNumber);
      if (!tender || !canSeeAuthority(actor, tender.contractingAuthorityId, tender.regionalSectionCode)) {
        throw notFound(`tender ${input.tenderNumber}`);
      }
      throw new DomainError('invalid_state', `tender ${input.tenderNumber} is cancelled: no lot can be added`, {
        reason: 'tender_cancelled',
      });
    }
    return insertLot({ ...deps, store }, taken.tender, taken.lotNumber, checked, rup);
  });
}

/** Inserts one lot with a fresh CIG; `deps.store` must be the caller's transaction. */
export async function insertLot(
  deps: Deps,
  tender: LotTender,
  lotNumber: number,
  checked: CheckedLot,
  actor: UserActor,
): Promise<Lot> {
  const now = deps.clock.now();
  const cig = pcpCigFromOrdinal(await deps.cigOrdinals.next(deps.store.codes));
  const newLot = {
    id: deps.ids.uuid(),
    tenderId: tender.tenderId,
    cig,
    ...checked,
    acquiredAt: now,
    perfectionDeadline: perfectionDeadline(now),
    createdBy: actor.userId,
  };
  await deps.store.lots.insert(newLot, lotNumber);
  const lot: Lot = {
    ...tender,
    ...checked,
    id: newLot.id,
    lotNumber,
    cig,
    state: 'issued',
    acquiredAt: now,
    perfectionDeadline: newLot.perfectionDeadline,
    publicationDate: null,
    invitationDate: null,
    bidDeadline: null,
    perfectedAt: null,
    cancelReason: null,
    cancelNote: null,
    cancelledAt: null,
  };
  await deps.store.audit.append([audit(actor, now, 'lot.issued', { type: 'lot', id: cig }, null, presentLotAudit(lot))]);
  return lot;
}
