import { notFound } from '../../domain/shared/errors.js';
import { assertTenderCancellable, checkCancellation } from '../../domain/tenders/tender-rules.js';
import { audit, canSeeAuthority, requireRole, type ServiceDeps } from '../context.js';
import type { Actor } from '../../domain/registry/actor.js';
import type { Lot, Tender } from '../../domain/tenders/tender.js';
import { presentTenderAudit } from './tender-audit.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock'>;

/** The RUP cancels a tender once every one of its lots is cancelled; returns it with its lots. */
export async function cancelTender(
  deps: Deps,
  input: { tenderNumber: number; reason: number; note?: string | undefined },
  actor: Actor,
): Promise<{ tender: Tender; lots: Lot[] }> {
  const rup = requireRole(actor, 'rup');
  const { reason, note } = checkCancellation('tender', input.reason, input.note);
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const tender = await store.tenders.lockByNumber(input.tenderNumber);
    if (!tender || !canSeeAuthority(actor, tender.contractingAuthorityId)) {
      throw notFound(`tender ${input.tenderNumber}`);
    }
    const lots = await store.lots.listByTender(tender.id);
    assertTenderCancellable(
      tender.state,
      lots.map((l) => l.state),
    );
    await store.tenders.cancel(tender.id, { reason, note, cancelledAt: now, cancelledBy: rup.userId });
    const after: Tender = {
      ...tender,
      state: 'cancelled',
      cancelReason: reason,
      cancelNote: note,
      cancelledAt: now,
      updatedAt: now,
    };
    await store.audit.append([
      audit(
        actor,
        now,
        'tender.cancelled',
        { type: 'tender', id: String(tender.tenderNumber) },
        presentTenderAudit(tender),
        presentTenderAudit(after),
      ),
    ]);
    return { tender: after, lots: await store.lots.listByTender(tender.id) };
  });
}
