import { sql, type Kysely } from 'kysely';

/**
 * Urgent procedures keep the procedure rules: a provisional lot of an invitation-only procedure type
 * (5, 10, 12) carries the invitation date, every other type the publication date — exactly one of the
 * two, checked against the procedure's type (the rule of `startDateFieldOf` in domain/tenders).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
ALTER TABLE provisional_lots ADD COLUMN invitation_date date;
ALTER TABLE provisional_lots ALTER COLUMN publication_date DROP NOT NULL;
-- Pending lots of invitation-only procedures were registered with their only date in publication_date:
-- it is the date of the letters of invitation. Regularised lots keep what was perfected.
UPDATE provisional_lots SET invitation_date = publication_date, publication_date = NULL
 WHERE lot_id IS NULL
   AND procedure_id IN (SELECT id FROM provisional_procedures WHERE procedure_type_code IN ('5', '10', '12'));
ALTER TABLE provisional_lots ADD CONSTRAINT provisional_lots_one_start_date
  CHECK (num_nonnulls(publication_date, invitation_date) = 1);
ALTER TABLE provisional_lots ADD CONSTRAINT provisional_lots_deadline_after_invitation
  CHECK ((bid_deadline AT TIME ZONE 'Europe/Rome')::date > invitation_date);

CREATE FUNCTION provisional_lot_start_date() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kind text;
BEGIN
  SELECT procedure_type_code INTO kind FROM provisional_procedures WHERE id = NEW.procedure_id;
  IF (kind IN ('5', '10', '12')) <> (NEW.invitation_date IS NOT NULL) THEN
    RAISE EXCEPTION 'provisional lot %: procedure type % needs the %', NEW.id, kind,
      CASE WHEN kind IN ('5', '10', '12') THEN 'invitation date' ELSE 'publication date' END
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER provisional_lots_start_date BEFORE INSERT ON provisional_lots
  FOR EACH ROW EXECUTE FUNCTION provisional_lot_start_date();
`,
    )
    .execute(db);
}
