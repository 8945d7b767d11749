import { sql, type Kysely } from 'kysely';

/**
 * Sign-in through the identity provider finds the registered user by fiscal code, or else by e-mail
 * (case-insensitive): both by index, not by reading the users.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
CREATE INDEX users_fiscal_code_idx ON users (fiscal_code);
CREATE INDEX users_email_lower_idx ON users (lower(email));
`,
    )
    .execute(db);
}
