import { romeDateOf } from '../../domain/shared/dates.js';
import { audit, systemActor, type ServiceDeps } from '../context.js';

/** The job: reserves whose deadline passed after the incident ended are expired (audit-logged). */
export async function expireReserves(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
): Promise<{ expired: number }> {
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    const expired = await store.reserves.expireReserves(romeDateOf(now), now);
    await store.audit.append(
      expired.map((r) =>
        audit(
          systemActor('expire-reserves'),
          now,
          'reserve.expired',
          { type: 'reserve', id: r.id },
          { state: 'open' },
          r,
        ),
      ),
    );
    return { expired: expired.length };
  });
}
