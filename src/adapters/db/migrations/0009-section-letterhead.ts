import { sql, type Kysely } from 'kysely';

/**
 * The letterhead of a section's letters, as the seed letter has it: the offices above the section
 * ("SEGRETERIA GENERALE DELLA PRESIDENZA", "SEZIONE GESTIONE INTEGRATA ACQUISTI"; one a line) and the
 * region's web site in the footer ("www.regione.puglia.it"). Kept by the administrator.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
ALTER TABLE regional_sections ADD COLUMN letterhead_offices text NOT NULL DEFAULT ''
  CHECK (length(letterhead_offices) <= 600
    AND (letterhead_offices = '' OR letterhead_offices !~ '(^|\\n)[[:space:]]*(\\n|$)'));
ALTER TABLE regional_sections ADD COLUMN website text
  CHECK (website ~ '^(https?://)?[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+(/[^[:space:]]*)?$' AND length(website) <= 200);
`,
    )
    .execute(db);
}
