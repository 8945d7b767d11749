import type { ServiceDeps } from '../context.js';

/**
 * Adds a probe's failed rounds to the evidence of the automatic incident they belong to (quoted by the
 * incident's certificate). Several processes add up; the first and last failure widen.
 */
export async function recordProbeEvidence(
  deps: Pick<ServiceDeps, 'store'>,
  input: { incidentId: string; probe: string; firstFailureAt: Date; lastFailureAt: Date; failures: number },
): Promise<void> {
  if (input.failures < 1) return;
  await deps.store.certificates.recordProbeFailures(
    input.incidentId,
    input.probe,
    input.firstFailureAt,
    input.lastFailureAt,
    input.failures,
  );
}
