import { notFound } from '../../domain/shared/errors.js';
import { assertLotCancellable, checkCancellation } from '../../domain/tenders/tender-rules.js';
import { audit, canSeeAuthority, requireRole, type ServiceDeps } from '../context.js';
import { presentLotAudit } from './tender-audit.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Lot } from '../../domain/tenders/tender.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock'>;

/** The RUP cancels a lot that is not perfected yet, with a reason of the official list. */
export async function cancelLot(
  deps: Deps,
  input: { cig: string; reason: number; note?: string | undefined },
  actor: Actor,
): Promise<Lot> {
  const rup = requireRole(actor, 'rup');
  const { reason, note } = checkCancellation('lot', input.reason, input.note);
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const lot = await store.lots.lockByCig(input.cig);
    if (!lot || !canSeeAuthority(actor, lot.contractingAuthorityId))
      throw notFound(`lot with CIG ${input.cig}`);
    assertLotCancellable(lot.state);
    const cancellation = { reason, note, cancelledAt: now, cancelledBy: rup.userId };
    await store.lots.cancel(lot.id, cancellation);
    const after: Lot = {
      ...lot,
      state: 'cancelled',
      cancelReason: reason,
      cancelNote: note,
      cancelledAt: now,
    };
    await store.audit.append([
      audit(
        actor,
        now,
        'lot.cancelled',
        { type: 'lot', id: lot.cig },
        presentLotAudit(lot),
        presentLotAudit(after),
      ),
    ]);
    return after;
  });
}
