import type { ServiceDeps } from '../context.js';
import { emitEvent } from './emit-event.js';
import { maintenanceEvent } from './notification-events.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock' | 'ids'>;

/** The job: maintenance starts and ends by the clock; each start and end is notified once. */
export async function emitMaintenanceEvents(deps: Deps): Promise<{ emitted: number }> {
  const now = deps.clock.now();
  return deps.store.transaction(async (store) => {
    let emitted = 0;
    for (const m of await store.maintenances.listMaintenances({
      since: new Date(now.getTime() - 7 * 86_400_000),
    })) {
      if (m.cancelledAt || m.startsAt > now) continue;
      if (await emitEvent(store, deps, now, maintenanceEvent(m, 'started'))) emitted += 1;
      if (m.endsAt <= now && (await emitEvent(store, deps, now, maintenanceEvent(m, 'ended')))) emitted += 1;
    }
    return { emitted };
  });
}
