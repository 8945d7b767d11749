import { sql, type Kysely } from 'kysely';

/**
 * Downtime certificates ("attestazioni di disservizio", issue 14): one signed certificate per resolved
 * incident and per ended maintenance, frozen when issued (append-only: the payload, its JWS and the
 * signed PDF never change); and the probes' evidence of an automatic incident (first and last failure,
 * failed rounds, per probe and incident), which the certificate quotes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE downtime_certificates (
  id text PRIMARY KEY CHECK (id ~ '^ATT-(INC-[0-9]{4}-[0-9]{4,}|MAN-[0-9a-f-]{36})$'),
  incident_id uuid UNIQUE REFERENCES incidents (id),
  maintenance_id uuid UNIQUE REFERENCES maintenances (id),
  payload jsonb NOT NULL,
  jws text NOT NULL CHECK (jws ~ '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$'),
  pdf bytea NOT NULL CHECK (substring(pdf FROM 1 FOR 5) = '\\x255044462d'::bytea),
  issued_at timestamptz NOT NULL,
  CHECK ((incident_id IS NULL) <> (maintenance_id IS NULL))
);
CREATE FUNCTION downtime_certificates_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'downtime_certificates is append-only: a certificate, once issued, never changes (% refused)', TG_OP
    USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER downtime_certificates_append_only BEFORE UPDATE OR DELETE ON downtime_certificates
  FOR EACH ROW EXECUTE FUNCTION downtime_certificates_append_only();
CREATE TRIGGER downtime_certificates_no_truncate BEFORE TRUNCATE ON downtime_certificates
  FOR EACH STATEMENT EXECUTE FUNCTION downtime_certificates_append_only();

CREATE TABLE probe_evidence (
  incident_id uuid NOT NULL REFERENCES incidents (id),
  probe text NOT NULL CHECK (length(probe) BETWEEN 1 AND 100),
  first_failure_at timestamptz NOT NULL,
  last_failure_at timestamptz NOT NULL,
  failures integer NOT NULL CHECK (failures >= 1),
  PRIMARY KEY (incident_id, probe),
  CHECK (last_failure_at >= first_failure_at)
);
`,
    )
    .execute(db);
}
