import { sql } from 'kysely';
import type { Database } from './database.js';

/**
 * The automatic incidents of several gara processes: when another process has already recorded the
 * outage a probe sees (an open automatic incident with the probe's title, or one resolved after this
 * process's first failure), this process adopts it instead of opening a second one, and its start
 * moves back to the earliest failure any process saw. The unique index incidents_one_open_per_probe
 * (migration 0016) makes two concurrent openings fail one of them.
 */
export function sharedProbeIncidents(db: Database) {
  return {
    async adopt(title: string, since: Date): Promise<string | null> {
      const { rows } = await sql<{ id: string; state: string }>`
        SELECT id, state FROM incidents
         WHERE source = 'probe' AND title = ${title}
           AND (state <> 'resolved' OR resolved_at >= ${since})
         ORDER BY (state <> 'resolved') DESC, started_at DESC
         LIMIT 1`.execute(db);
      const found = rows[0];
      if (!found) return null;
      if (found.state !== 'resolved') {
        await sql`UPDATE incidents SET started_at = ${since}
                   WHERE id = ${found.id} AND state <> 'resolved' AND started_at > ${since}`.execute(db);
      }
      return found.id;
    },
  };
}
