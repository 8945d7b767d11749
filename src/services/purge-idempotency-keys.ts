import type { ServiceDeps } from './context.js';

/** The clean-up job: idempotency keys (and their stored responses) older than the retention are deleted. */
export async function purgeIdempotencyKeys(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  retentionHours: number,
): Promise<{ purged: number }> {
  const before = new Date(deps.clock.now().getTime() - retentionHours * 3_600_000);
  return { purged: await deps.store.idempotency.purgeOlderThan(before) };
}
