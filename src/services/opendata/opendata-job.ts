import { addDays, romeDateOf } from '../../domain/shared/dates.js';
import { systemActor, type ServiceDeps } from '../context.js';
import { lastFileOf } from './export-opendata-period.js';
import { exportOpendataPeriodOnce } from './export-opendata-period-once.js';
import type { OpendataDeps } from './ports.js';

/**
 * The scheduled export: from the 2nd of a month, the previous month's files; every day, the previous
 * day's deltas. Each period is produced once (a period already in the catalogue is skipped).
 */
export async function opendataJob(
  deps: Pick<ServiceDeps, 'clock' | 'store'> & OpendataDeps,
): Promise<{ exported: string[] }> {
  const today = romeDateOf(deps.clock.now());
  const yesterday = addDays(today, -1);
  const [year, month] = today.split('-').map(Number) as [number, number];
  const previousMonth = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
  const published = new Set((await deps.opendata.files.list()).map((f) => f.name));
  const due: string[] = [];
  if (Number(today.slice(8, 10)) >= 2 && !published.has(lastFileOf(previousMonth))) due.push(previousMonth);
  if (!published.has(lastFileOf(yesterday))) due.push(yesterday);
  for (const period of due) await exportOpendataPeriodOnce(deps, { period }, systemActor('opendata'));
  return { exported: due };
}
