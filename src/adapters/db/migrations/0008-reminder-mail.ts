import { sql, type Kysely } from 'kysely';

/** Regularisation reminders go to the RUP by e-mail too, through the same outbox as every message. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('relay', 'notification', 'confirmation', 'reminder'));
`,
    )
    .execute(db);
}
