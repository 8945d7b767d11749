import { invalidField } from '../../domain/shared/errors.js';
import { audit, requireRole, type Actor, type ServiceDeps } from '../context.js';
import { authorityDataset, cigDataset, smartCigDataset, type Cell, type Dataset } from './datasets.js';
import { parsePeriod, type Period } from './periods.js';
import type { InstantRange, OpendataDeps, PublishedFile } from './ports.js';
import { publishOcdsReleases } from './publish-ocds-releases.js';
import { paged, rowsOf } from './paged.js';

type Deps = Pick<ServiceDeps, 'clock' | 'store'> & OpendataDeps;

async function publishTable<Row>(
  deps: OpendataDeps,
  dataset: Dataset<Row>,
  period: Period,
  rows: () => AsyncIterable<Row>,
  formats: readonly ('csv' | 'json')[] = ['csv', 'json'],
): Promise<PublishedFile[]> {
  const published: PublishedFile[] = [];
  const base =
    period.kind === 'month' ? `${dataset.name}_${period.label}` : `${dataset.name}_delta_${period.label}`;
  for (const format of formats) {
    let count = 0;
    async function* cells(): AsyncIterable<Cell[]> {
      for await (const row of rows()) {
        count += 1;
        yield dataset.cells(row);
      }
    }
    published.push(
      await deps.opendata.files.publish(
        { name: `${base}.${format}`, dataset: dataset.name, period: period.label, format },
        deps.opendata.encoder[format](dataset.columns, cells()),
        () => count,
      ),
    );
  }
  return published;
}

/** The CIG files of a month or a day (CSV and JSON, or the formats given). */
export function publishCigFiles(
  deps: OpendataDeps,
  period: Period,
  formats?: readonly ('csv' | 'json')[],
): Promise<PublishedFile[]> {
  const { repository, pageSize } = deps.opendata;
  const mode = period.kind === 'month' ? 'month' : 'delta';
  return publishTable(
    deps,
    cigDataset,
    period,
    () => rowsOf(repository.cigBatches(period.range, mode, pageSize)),
    formats,
  );
}

export function publishSmartCigFiles(deps: OpendataDeps, period: Period): Promise<PublishedFile[]> {
  const { repository, pageSize } = deps.opendata;
  return publishTable(deps, smartCigDataset, period, () =>
    paged(
      (after: string, limit) =>
        repository.smartCigPage(period.range, period.kind === 'month' ? 'month' : 'delta', after, limit),
      (row) => row.cig,
      '',
      pageSize,
    ),
  );
}

export function publishAuthorityFiles(
  deps: OpendataDeps,
  range: InstantRange,
  period: Period,
): Promise<PublishedFile[]> {
  const { repository, pageSize } = deps.opendata;
  return publishTable(deps, authorityDataset, period, () =>
    paged(
      (after: string, limit) => repository.authorityPage(range.to, after, limit),
      (row) => row.fiscalCode,
      '',
      pageSize,
    ),
  );
}

/**
 * The files of a period, written in the order that marks it done (see lastFileOf): in this thread, or in
 * the export worker (src/adapters/opendata/export-worker.ts), which calls this with its own connection.
 */
export async function produceOpendataFiles(deps: OpendataDeps, period: Period): Promise<PublishedFile[]> {
  const ocds = await publishOcdsReleases(deps, period);
  return [
    ...(ocds ? [ocds] : []),
    ...(await publishCigFiles(deps, period)),
    ...(await publishSmartCigFiles(deps, period)),
    // Last: its presence tells the job that the period is done.
    ...(period.kind === 'month' ? await publishAuthorityFiles(deps, period.range, period) : []),
  ];
}

/**
 * Produces the open data files of a month (OCDS releases, CIG, SmartCIG, contracting authorities) or
 * the daily deltas of a day (OCDS releases, CIG, SmartCIG); the last one written marks the period done
 * (see lastFileOf). Staff on demand, or the scheduled job.
 * Producing a period twice gives byte-identical files (stable order, nothing but data inside).
 */
export async function exportOpendataPeriod(
  deps: Deps,
  input: { period: string },
  actor: Actor,
): Promise<PublishedFile[]> {
  if (actor.kind === 'user') requireRole(actor, 'authority_staff', 'admin');
  const period = parsePeriod(input.period);
  // A period still running would be published as complete, and the job never produces it again.
  if (period.range.to.getTime() > deps.clock.now().getTime())
    throw invalidField(
      'period',
      `the period ${period.label} has not ended yet (Europe/Rome): its files can be produced from the next day`,
      'period_not_ended',
    );
  // On PostgreSQL a worker thread of low priority with its own connection (the API keeps the CPU).
  const { producer } = deps.opendata;
  const files = producer
    ? await producer.produce(period.label, deps.opendata.publicUrl())
    : await produceOpendataFiles(deps, period);
  await deps.store.audit.append([
    audit(
      actor,
      deps.clock.now(),
      'opendata.exported',
      { type: 'opendata_period', id: period.label },
      null,
      files.map((f) => ({ name: f.name, sha256: f.sha256, rows: f.rows })),
    ),
  ]);
  return files;
}

/** The file written last for a period: once it is in the catalogue, the period is complete. */
export const lastFileOf = (period: string): string =>
  parsePeriod(period).kind === 'month'
    ? `stazioni-appaltanti_${period}.json`
    : `smartcig_delta_${period}.json`;
