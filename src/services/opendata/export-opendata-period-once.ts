import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/shared/errors.js';
import { requireRole, type Actor } from '../context.js';
import { exportOpendataPeriod } from './export-opendata-period.js';
import { parsePeriod } from './periods.js';
import type { PublishedFile } from './ports.js';

/** A run that outlives this (its process died) no longer blocks its period. */
export const EXPORT_LEASE_MS = 3_600_000;

/** A run whose release failed is released again this often (spaced out), then left to its lease. */
const RELEASE_RETRY = { attempts: 12, delayMs: 5_000 };

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
  release: { attempts: number; delayMs: number } = RELEASE_RETRY,
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
    await releaseRun(() => repository.releaseExportRun(period, holder), release);
  }
}

/**
 * Releases the run. When the database is briefly away as the export ends (the export often failed
 * because of that) the caller still gets its own answer (its files, or why it failed), and the release
 * is tried again in the background, so that the period is not blocked for the whole lease while this
 * process is alive.
 */
async function releaseRun(
  release: () => Promise<void>,
  retry: { attempts: number; delayMs: number },
): Promise<void> {
  const again = (n: number): void => {
    setTimeout(() => {
      release().catch(() => {
        if (n < retry.attempts) again(n + 1);
      });
    }, retry.delayMs * n).unref();
  };
  await release().catch(() => again(1));
}
