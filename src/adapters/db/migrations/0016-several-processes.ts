import { sql, type Kysely } from 'kysely';

/**
 * Several gara processes on one PostgreSQL:
 * - an outage seen by the probes of every process is one incident: at most one open automatic
 *   incident per probe (its title); the process that loses the race adopts the winner's incident and
 *   moves its start back to the earliest failure seen (status-monitor.ts, probe-incidents.ts);
 * - the rate-limit counters are shared (rate-limit-store.ts). UNLOGGED: no WAL, so no wait for the
 *   synchronous standby on every request; emptied after a crash or a failover, which only gives the
 *   tokens a fresh window.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
-- Open duplicates left by several processes before this migration: the earliest one stays open, the
-- others are closed as empty windows (their outage is the earliest one's).
UPDATE incidents i SET state = 'resolved', resolved_at = i.started_at
 WHERE i.source = 'probe' AND i.state <> 'resolved'
   AND EXISTS (SELECT 1 FROM incidents o
                WHERE o.source = 'probe' AND o.state <> 'resolved' AND o.title = i.title
                  AND (o.started_at < i.started_at OR (o.started_at = i.started_at AND o.id < i.id)));
CREATE UNIQUE INDEX incidents_one_open_per_probe ON incidents (title)
  WHERE source = 'probe' AND state <> 'resolved';

CREATE UNLOGGED TABLE rate_limit_windows (
  key text PRIMARY KEY CHECK (length(key) <= 300),
  window_ends timestamptz NOT NULL,
  hits integer NOT NULL CHECK (hits > 0)
);
`,
    )
    .execute(db);
}
