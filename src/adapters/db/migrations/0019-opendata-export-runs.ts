import { sql, type Kysely } from 'kysely';

/**
 * One open-data export per period at a time, across processes: a run holds its period's row until it
 * ends (deleted) or its lease runs out (a process that died mid-export does not block the period for
 * longer than the lease).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE opendata_export_runs (
  period varchar(10) PRIMARY KEY,
  holder uuid NOT NULL,
  started_at timestamptz NOT NULL,
  lease_until timestamptz NOT NULL CHECK (lease_until > started_at)
);
`,
    )
    .execute(db);
}
