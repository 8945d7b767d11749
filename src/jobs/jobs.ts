import type { Config } from '../config.js';
import type { ServiceDeps } from '../services/context.js';
import { expireLots } from '../services/tenders/expire-lots.js';
import { buildMonthlyGroupings } from '../services/payments/build-groupings.js';
import { expireReserves } from '../services/continuity/expire-reserves.js';
import { regularisePending } from '../services/continuity/regularise-pending.js';
import { remindRegularisations } from '../services/continuity/remind-regularisations.js';
import { MAX_PEC_RECEIPT_BYTES } from '../services/notices/ports.js';
import { ingestPecMailbox } from '../services/notices/ingest-pec-mailbox.js';
import type { PecMailbox } from '../services/notices/ports.js';
import { purgeIdempotencyKeys } from '../services/purge-idempotency-keys.js';
import { emitMaintenanceEvents } from '../services/notices/emit-maintenance-events.js';
import { issueDueCertificates } from '../services/certificates/issue-due-certificates.js';
import type { ScheduledJob } from './scheduler.js';
import type { OpendataServices } from '../services/opendata/ports.js';
import { opendataJob } from '../services/opendata/opendata-job.js';

export function backgroundJobs(
  deps: ServiceDeps,
  config: Pick<Config, 'expireLotsIntervalMs' | 'idempotencyRetentionHours' | 'pecImap'>,
  wired: {
    /** The base of the portal links in e-mails (the public URL once the service listens). */
    links?: () => string | undefined;
    /** The PEC mailbox (built by the container when PEC_IMAP_URL is set). */
    pecMailbox?: PecMailbox | undefined;
    /** The open data files (the monthly and daily exports). */
    opendata?: OpendataServices | undefined;
  } = {},
): ScheduledJob[] {
  const links = wired.links ?? (() => undefined);
  const { pecMailbox, opendata } = wired;
  return [
    // Open data: the previous month's files from the 2nd, yesterday's deltas every day (each once).
    ...(opendata
      ? [{ name: 'opendata', intervalMs: 3_600_000, run: () => opendataJob({ ...deps, opendata }) }]
      : []),
    {
      name: 'expire-lots',
      intervalMs: config.expireLotsIntervalMs,
      run: async () => ({ cancelled: (await expireLots(deps)).cancelled.length }),
    },
    {
      // Every few hours: the previous month's groupings appear early in the new month; re-runs add nothing.
      name: 'sa-groupings',
      intervalMs: 6 * 3_600_000,
      run: () => buildMonthlyGroupings(deps),
    },
    {
      // Provisional procedures get their CIGs as soon as CIG issuance is back.
      name: 'regularise-pending',
      intervalMs: 60_000,
      run: () => regularisePending(deps),
    },
    // Maintenance windows start and end by the clock: subscribers hear of each once.
    { name: 'maintenance-events', intervalMs: 60_000, run: () => emitMaintenanceEvents(deps) },
    { name: 'downtime-certificates', intervalMs: 60_000, run: () => issueDueCertificates(deps) },
    { name: 'expire-reserves', intervalMs: 3_600_000, run: () => expireReserves(deps) },
    {
      name: 'remind-regularisations',
      intervalMs: 3_600_000,
      run: () => remindRegularisations(deps, { linkBase: links() }),
    },
    {
      name: 'purge-idempotency-keys',
      intervalMs: 3_600_000,
      run: () => purgeIdempotencyKeys(deps, config.idempotencyRetentionHours),
    },
    ...(config.pecImap && pecMailbox
      ? [
          {
            // Certified e-mail receipts from the sections' PEC mailbox (the HTTP channel works too).
            name: 'pec-imap',
            intervalMs: config.pecImap.intervalMs,
            run: () => ingestPecMailbox(deps, pecMailbox, deps.pecReceipts, MAX_PEC_RECEIPT_BYTES),
          },
        ]
      : []),
  ];
}
