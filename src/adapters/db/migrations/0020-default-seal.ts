import { sql, type Kysely } from 'kysely';

/**
 * The self-signed seal of a database (docs/decisions.md, "One seal per database"): when no key is
 * configured (SEGNATURA_KEY_DIR unset and no operator key in DATA_DIR/keys), every gara process on the
 * database signs the segnatura and the downtime certificates with this one pair. One row at most; the
 * first process inserts it (ON CONFLICT DO NOTHING), the others read it; it never changes (a trigger
 * refuses UPDATE, DELETE and TRUNCATE), so a certificate issued by one process verifies on every other.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE default_seal (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  private_key_pem text NOT NULL CHECK (private_key_pem LIKE '-----BEGIN PRIVATE KEY-----%'),
  certificate_pem text NOT NULL CHECK (certificate_pem LIKE '-----BEGIN CERTIFICATE-----%'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION default_seal_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'default_seal never changes: certificates already issued are signed with it (% refused)', TG_OP
    USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER default_seal_immutable BEFORE UPDATE OR DELETE ON default_seal
  FOR EACH ROW EXECUTE FUNCTION default_seal_immutable();
CREATE TRIGGER default_seal_no_truncate BEFORE TRUNCATE ON default_seal
  FOR EACH STATEMENT EXECUTE FUNCTION default_seal_immutable();
`,
    )
    .execute(db);
}
