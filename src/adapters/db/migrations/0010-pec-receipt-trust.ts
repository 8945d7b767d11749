import { sql, type Kysely } from 'kysely';

/**
 * A PEC receipt changes a delivery state only when its S/MIME signature verifies and its daticert.xml
 * agrees with its headers and with the message it names: `status` says whether it was applied or kept
 * for review (changing nothing), `signer` who signed it, `received_by` who posted it (null: the mailbox).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
ALTER TABLE pec_receipts ADD COLUMN status text;
ALTER TABLE pec_receipts ADD COLUMN signer text;
ALTER TABLE pec_receipts ADD COLUMN received_by uuid REFERENCES users (id);
ALTER TABLE pec_receipts DISABLE TRIGGER pec_receipts_append_only;
UPDATE pec_receipts SET status = CASE WHEN outbox_id IS NULL THEN 'review' ELSE 'applied' END;
ALTER TABLE pec_receipts ENABLE TRIGGER pec_receipts_append_only;
ALTER TABLE pec_receipts ALTER COLUMN status SET NOT NULL;
ALTER TABLE pec_receipts ADD CONSTRAINT pec_receipts_status_check CHECK (status IN ('applied', 'review'));
ALTER TABLE pec_receipts ADD CONSTRAINT pec_receipts_applied_check
  CHECK (status = 'review' OR (outbox_id IS NOT NULL AND signer IS NOT NULL));
CREATE INDEX pec_receipts_review_idx ON pec_receipts (received_at) WHERE status = 'review';
`,
    )
    .execute(db);
}
