import { sql, type Kysely } from 'kysely';

/**
 * A comunicato may name the maintenance it announces (as it may name an incident), so that the
 * maintenance's downtime certificate lists it with the protocol numbers of its relays. About one
 * incident or one maintenance, not both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
ALTER TABLE notices ADD COLUMN maintenance_id uuid REFERENCES maintenances (id);
ALTER TABLE notices ADD CONSTRAINT notices_one_subject CHECK (incident_id IS NULL OR maintenance_id IS NULL);
CREATE INDEX notices_maintenance ON notices (maintenance_id) WHERE maintenance_id IS NOT NULL;
`,
    )
    .execute(db);
}
