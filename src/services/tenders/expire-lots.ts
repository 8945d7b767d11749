import { AUTOMATIC_CANCELLATION } from '../../domain/tenders/tender-rules.js';
import { romeDateOf } from '../../domain/shared/dates.js';
import { audit, type ServiceDeps } from '../context.js';
import { presentLotAudit } from './tender-audit.js';
import { systemActor } from '../../domain/registry/actor.js';
import type { Lot } from '../../domain/tenders/tender.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock'>;

const actor = systemActor('expire-lots');

/**
 * Cancels the lots whose perfezionamento window has closed, as the Authority does (reason 0,
 * automatic). Safe to run concurrently and repeatedly: a lot changed meanwhile is skipped.
 */
export async function expireLots(
  deps: Deps,
  options: { batchSize?: number } = {},
): Promise<{ cancelled: string[] }> {
  const batchSize = options.batchSize ?? 500;
  const cancelled: string[] = [];
  for (;;) {
    const now = deps.clock.now();
    const batch = await deps.store.transaction(async (store) => {
      const expired = await store.lots.listExpired(romeDateOf(now), batchSize);
      const done: string[] = [];
      const entries = [];
      for (const lot of expired) {
        const cancellation = {
          reason: AUTOMATIC_CANCELLATION,
          note: null,
          cancelledAt: now,
          cancelledBy: null,
        };
        if (!(await store.lots.cancel(lot.id, cancellation))) continue;
        const after: Lot = {
          ...lot,
          state: 'cancelled',
          cancelReason: AUTOMATIC_CANCELLATION,
          cancelledAt: now,
        };
        entries.push(
          audit(
            actor,
            now,
            'lot.expired',
            { type: 'lot', id: lot.cig },
            presentLotAudit(lot),
            presentLotAudit(after),
          ),
        );
        done.push(lot.cig);
      }
      await store.audit.append(entries);
      return { seen: expired.length, done };
    });
    cancelled.push(...batch.done);
    if (batch.seen < batchSize) return { cancelled };
  }
}
