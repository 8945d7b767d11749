import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type Actor } from '../context.js';
import { exportOpendataPeriod } from './export-opendata-period.js';
import { parsePeriod } from './periods.js';
import type { PublishedFile } from './ports.js';

/** A run that outlives this (its process died) no longer blocks its period. */
export const EXPORT_LEASE_MS = 3_600_000;

/**
 * exportOpendataPeriod, one run per period at a time in all processes (a database row, see
 * claimExportRun): a second request for a period being produced gets `conflict` (409, reason
 * export_running) at once instead of producing the same files again; it can ask again when the first
 * ends (its files are then in the catalogue).
 */
export async function exportOpendataPeriodOnce(
  deps: Parameters<typeof exportOpendataPeriod>[0],
  input: { period: string },
  actor: Actor,
): Promise<PublishedFile[]> {
  // Who may ask is checked before the run is taken: a refused caller never holds a period.
  if (actor.kind === 'user') requireRole(actor, 'authority_staff', 'admin');
  const period = parsePeriod(input.period).label;
  const holder = randomUUID();
  const now = deps.clock.now();
  const { repository } = deps.opendata;
  if (!(await repository.claimExportRun(period, holder, now, new Date(now.getTime() + EXPORT_LEASE_MS))))
    throw new DomainError(
      'conflict',
      `the open data of ${period} are being produced now; ask again when it ends`,
      {
        reason: 'export_running',
      },
    );
  try {
    return await exportOpendataPeriod(deps, input, actor);
  } finally {
    await repository.releaseExportRun(period, holder);
  }
}
