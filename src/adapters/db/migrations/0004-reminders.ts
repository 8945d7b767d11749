import { sql, type Kysely } from 'kysely';

/** Reminders to RUPs (regularisation deadlines): one per procedure and day, kept as a record. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE reminders (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  day date NOT NULL,
  message text NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL,
  UNIQUE (subject_type, subject_id, day)
);
CREATE INDEX reminders_user_idx ON reminders (user_id, created_at DESC);
CREATE TRIGGER reminders_append_only BEFORE UPDATE OR DELETE ON reminders FOR EACH ROW EXECUTE FUNCTION append_only();
`,
    )
    .execute(db);
}
