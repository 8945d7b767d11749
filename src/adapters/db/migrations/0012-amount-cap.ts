import { sql, type Kysely } from 'kysely';

/**
 * Amounts stay exact as JavaScript numbers: a lot is at most 9,999,999,999.99 euro (999,999,999,999
 * cents) and a tender has at most 9,000 lots, so every sum of a tender's lots stays below 2^53 cents.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
ALTER TABLE lots ADD CONSTRAINT lots_amount_cap CHECK (amount_cents <= 999999999999);
ALTER TABLE lots ADD CONSTRAINT lots_number_cap CHECK (lot_number <= 9000);
ALTER TABLE provisional_lots ADD CONSTRAINT provisional_lots_amount_cap CHECK (amount_cents <= 999999999999);
ALTER TABLE provisional_lots ADD CONSTRAINT provisional_lots_number_cap CHECK (lot_number <= 9000);
`,
    )
    .execute(db);
}
