import { sql, type Kysely } from 'kysely';

/**
 * The registry, the code lists and the CIG lifecycle. Plain SQL that runs unchanged on PostgreSQL 15+
 * and on PGlite. Everything that must never break is enforced here, not only in the services:
 * unique codes, foreign keys, states and their transitions, and the append-only audit log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(SCHEMA).execute(db);
}

const SCHEMA = /* sql */ `
-- Code lists derived from the Authority's tipologiche (reference-data/), loaded by the reference sync.
CREATE TABLE reference_data_versions (
  name text PRIMARY KEY,
  sha256 char(64) NOT NULL,
  row_count integer NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE cpv_codes (
  code char(8) PRIMARY KEY CHECK (code ~ '^[0-9]{8}$'),
  description_it text NOT NULL,
  description_en text NOT NULL
);
CREATE TABLE istat_places (
  code char(9) PRIMARY KEY CHECK (code ~ '^[0-9]{9}$'),
  name text NOT NULL,
  valid_from date,
  valid_to date
);
CREATE TABLE procedure_types (
  code text PRIMARY KEY,
  description text NOT NULL,
  valid_from date,
  valid_to date
);
CREATE TABLE urgency_reasons (
  code text PRIMARY KEY,
  description text NOT NULL,
  valid_from date,
  valid_to date
);

-- Registry
CREATE TABLE regional_sections (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2,3}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  region_name text NOT NULL,
  region_istat char(3) NOT NULL CHECK (region_istat ~ '^[0-9]{3}$'),
  province_istat char(3) CHECK (province_istat ~ '^[0-9]{3}$'),
  city text NOT NULL,
  pec text NOT NULL CHECK (pec ~ '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  aoo_code text NOT NULL UNIQUE CHECK (aoo_code ~ '^[A-Za-z0-9_]{1,16}$'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (region_istat, province_istat)
);

CREATE TABLE contracting_authorities (
  id uuid PRIMARY KEY,
  fiscal_code char(11) NOT NULL UNIQUE CHECK (fiscal_code ~ '^[0-9]{11}$'),
  ausa_code char(10) NOT NULL UNIQUE CHECK (ausa_code ~ '^[0-9]{10}$' AND ausa_code <> '0000000000'),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 500),
  istat_place_code char(9) NOT NULL REFERENCES istat_places (code),
  regional_section_code text NOT NULL REFERENCES regional_sections (code),
  pec text NOT NULL CHECK (pec ~ '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX contracting_authorities_section_idx ON contracting_authorities (regional_section_code);

CREATE TABLE cost_centres (
  id uuid PRIMARY KEY,
  contracting_authority_id uuid NOT NULL REFERENCES contracting_authorities (id),
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,40}$'),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  UNIQUE (contracting_authority_id, code),
  UNIQUE (id, contracting_authority_id)
);

CREATE TABLE economic_operators (
  id uuid PRIMARY KEY,
  fiscal_code varchar(16) NOT NULL UNIQUE CHECK (fiscal_code ~ '^([0-9]{11}|[A-Z0-9]{16})$'),
  vat_number char(11) UNIQUE CHECK (vat_number ~ '^[0-9]{11}$'),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 500),
  pec text CHECK (pec ~ '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
  email text NOT NULL UNIQUE CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'),
  fiscal_code varchar(16) CHECK (fiscal_code ~ '^[A-Z0-9]{16}$'),
  role text NOT NULL CHECK (role IN ('rup', 'economic_operator', 'regional_staff', 'authority_staff', 'admin')),
  contracting_authority_id uuid REFERENCES contracting_authorities (id),
  economic_operator_id uuid REFERENCES economic_operators (id),
  regional_section_code text REFERENCES regional_sections (code),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((role = 'rup') = (contracting_authority_id IS NOT NULL)),
  CHECK ((role = 'economic_operator') = (economic_operator_id IS NOT NULL)),
  CHECK ((role = 'regional_staff') = (regional_section_code IS NOT NULL))
);
CREATE INDEX users_contracting_authority_idx ON users (contracting_authority_id);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  token_sha256 char(64) NOT NULL UNIQUE,
  label text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz
);

-- Idempotency: a retried creating request returns what the first one did.
CREATE TABLE idempotency_keys (
  user_id uuid NOT NULL REFERENCES users (id),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_sha256 char(64) NOT NULL,
  status_code smallint,
  response jsonb,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- CIG series. PCP codes: ordinal n -> letter A+n/16^6, 6 hex digits, 3 check characters.
CREATE SEQUENCE pcp_cig_ordinal_seq AS bigint MINVALUE 0 MAXVALUE 352321535 START 0;
CREATE SEQUENCE smart_cig_ordinal_seq AS bigint MINVALUE 1 MAXVALUE 805306365 START 1;
CREATE SEQUENCE tender_number_seq AS integer MINVALUE 1000000 MAXVALUE 9999999 START 8000001;

-- The Authority's check algorithm, as a last line of defence: no malformed code can be stored. The
-- CHECK constraints spell the expression out (no function call: a SQL function in a CHECK is not
-- inlined and costs an executor start per row); the functions serve queries and tests.
CREATE FUNCTION is_valid_pcp_cig(c text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT c ~ '^[A-U][0-9A-F]{9}$'
     AND substr(c, 8, 3) = lpad(upper(to_hex(((('x' || lpad(substr(c, 2, 6), 8, '0'))::bit(32)::int::bigint
                                               + ascii(substr(c, 1, 1)) - 64) * 211) % 4091)), 3, '0')
$$;
CREATE FUNCTION is_valid_smart_cig(c text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT c ~ '^[XYZ][0-9A-F]{9}$'
     AND substr(c, 4, 7) <> '0000000'
     AND substr(c, 2, 2) = lpad(upper(to_hex((('x' || lpad(substr(c, 4, 7), 8, '0'))::bit(32)::int::bigint * 211) % 251)), 2, '0')
$$;

CREATE TABLE tenders (
  id uuid PRIMARY KEY,
  tender_number integer NOT NULL UNIQUE CHECK (tender_number BETWEEN 1000000 AND 9999999),
  contracting_authority_id uuid NOT NULL REFERENCES contracting_authorities (id),
  cost_centre_id uuid,
  rup_user_id uuid NOT NULL REFERENCES users (id),
  object text NOT NULL CHECK (length(btrim(object)) BETWEEN 1 AND 1024),
  procedure_type_code text NOT NULL REFERENCES procedure_types (code),
  sector text NOT NULL CHECK (sector IN ('ordinary', 'special')),
  contract_object text NOT NULL CHECK (contract_object IN ('works', 'supplies', 'services')),
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'cancelled')),
  lot_count integer NOT NULL DEFAULT 0 CHECK (lot_count >= 0),
  cancel_reason smallint CHECK (cancel_reason BETWEEN 5 AND 8),
  cancel_note text,
  cancelled_at timestamptz,
  cancelled_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  FOREIGN KEY (cost_centre_id, contracting_authority_id) REFERENCES cost_centres (id, contracting_authority_id),
  UNIQUE (id, state),
  CHECK ((state = 'cancelled') = (cancel_reason IS NOT NULL AND cancelled_at IS NOT NULL)),
  CHECK (cancel_reason IS DISTINCT FROM 8 OR length(btrim(coalesce(cancel_note, ''))) > 0)
);
CREATE INDEX tenders_contracting_authority_idx ON tenders (contracting_authority_id, created_at DESC);

CREATE TABLE lots (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL,
  lot_number integer NOT NULL CHECK (lot_number >= 1),
  cig char(10) NOT NULL UNIQUE CONSTRAINT lots_cig_check CHECK (
    cig ~ '^[A-U][0-9A-F]{9}$'
    AND substr(cig, 8, 3) = lpad(upper(to_hex(((('x' || lpad(substr(cig, 2, 6), 8, '0'))::bit(32)::int::bigint
                                                 + ascii(substr(cig, 1, 1)) - 64) * 211) % 4091)), 3, '0')),
  object text NOT NULL CHECK (length(btrim(object)) BETWEEN 1 AND 1024),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  cpv_code char(8) NOT NULL REFERENCES cpv_codes (code),
  istat_place_code char(9) NOT NULL REFERENCES istat_places (code),
  state text NOT NULL DEFAULT 'issued' CHECK (state IN ('issued', 'perfected', 'cancelled')),
  acquired_at timestamptz NOT NULL,
  perfection_deadline date NOT NULL,
  publication_date date,
  invitation_date date,
  bid_deadline timestamptz,
  perfected_at timestamptz,
  perfected_by uuid REFERENCES users (id),
  cancel_reason smallint CHECK (cancel_reason BETWEEN 0 AND 4),
  cancel_note text,
  cancelled_at timestamptz,
  cancelled_by uuid REFERENCES users (id),
  created_by uuid NOT NULL REFERENCES users (id),
  -- A lot that is not cancelled points at its tender *in state active*: the foreign key makes it
  -- impossible to add a lot to a cancelled tender or to cancel a tender that has a live lot, under any
  -- concurrency (the server's own referential checks and locks decide, not application code). Every lot
  -- is inserted live and its tender_id never changes (lots_guard), so this key also covers tender_id.
  live_tender_state text GENERATED ALWAYS AS (CASE WHEN state <> 'cancelled' THEN 'active' END) STORED,
  FOREIGN KEY (tender_id, live_tender_state) REFERENCES tenders (id, state),
  UNIQUE (tender_id, lot_number),
  CHECK (perfection_deadline > (acquired_at AT TIME ZONE 'Europe/Rome')::date),
  CHECK ((state = 'perfected') = (perfected_at IS NOT NULL)),
  CHECK (state <> 'perfected' OR (bid_deadline IS NOT NULL AND num_nonnulls(publication_date, invitation_date) = 1)),
  CHECK (bid_deadline IS NULL
         OR (bid_deadline AT TIME ZONE 'Europe/Rome')::date > coalesce(publication_date, invitation_date)),
  CHECK ((state = 'cancelled') = (cancel_reason IS NOT NULL AND cancelled_at IS NOT NULL)),
  CHECK (cancel_reason IS DISTINCT FROM 4 OR length(btrim(coalesce(cancel_note, ''))) > 0)
);
CREATE INDEX lots_open_deadline_idx ON lots (perfection_deadline) WHERE state = 'issued';

CREATE TABLE smart_cigs (
  id uuid PRIMARY KEY,
  cig char(10) NOT NULL UNIQUE CONSTRAINT smart_cigs_cig_check CHECK (is_valid_smart_cig(cig)),
  contracting_authority_id uuid NOT NULL REFERENCES contracting_authorities (id),
  rup_user_id uuid NOT NULL REFERENCES users (id),
  contract_type text NOT NULL CHECK (contract_type IN ('under_threshold', 'excluded', 'framework_call', 'emergency')),
  contract_object text NOT NULL CHECK (contract_object IN ('works', 'supplies', 'services')),
  procedure_type_code text NOT NULL REFERENCES procedure_types (code),
  object text NOT NULL CHECK (length(btrim(object)) BETWEEN 1 AND 1024),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0 AND amount_cents < 4000000),
  cup char(15) CHECK (cup ~ '^[A-Z0-9]{15}$'),
  state text NOT NULL DEFAULT 'issued' CHECK (state IN ('issued', 'cancelled')),
  created_at timestamptz NOT NULL,
  cancelled_at timestamptz,
  CHECK ((state = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX smart_cigs_contracting_authority_idx ON smart_cigs (contracting_authority_id, created_at DESC);

-- Lifecycle guards.
CREATE FUNCTION forbid_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE FUNCTION tenders_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.tender_number <> OLD.tender_number
     OR NEW.contracting_authority_id <> OLD.contracting_authority_id OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'tender %: identity fields are immutable', OLD.tender_number USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state = 'cancelled' THEN
    RAISE EXCEPTION 'tender %: a cancelled tender cannot change', OLD.tender_number USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.lot_count < OLD.lot_count THEN
    RAISE EXCEPTION 'tender %: lot numbers are never reused', OLD.tender_number USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
-- WHEN keeps the hot path (taking a lot number) free of a PL/pgSQL call: the function runs only when
-- the row breaks a rule and is about to be refused.
CREATE TRIGGER tenders_guard BEFORE UPDATE ON tenders FOR EACH ROW
  WHEN (OLD.state = 'cancelled' OR NEW.id <> OLD.id OR NEW.tender_number <> OLD.tender_number
        OR NEW.contracting_authority_id <> OLD.contracting_authority_id OR NEW.created_at <> OLD.created_at
        OR NEW.lot_count < OLD.lot_count)
  EXECUTE FUNCTION tenders_guard();
CREATE TRIGGER tenders_no_delete BEFORE DELETE ON tenders FOR EACH ROW EXECUTE FUNCTION forbid_delete();

CREATE FUNCTION lots_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.state <> 'issued' THEN
      RAISE EXCEPTION 'lot %: a new lot starts as issued', NEW.cig USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.id <> OLD.id OR NEW.cig <> OLD.cig OR NEW.tender_id <> OLD.tender_id OR NEW.lot_number <> OLD.lot_number
     OR NEW.acquired_at <> OLD.acquired_at OR NEW.created_by <> OLD.created_by THEN
    RAISE EXCEPTION 'lot %: identity fields are immutable', OLD.cig USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state <> 'issued' THEN
    RAISE EXCEPTION 'lot %: a % lot cannot change', OLD.cig, OLD.state USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER lots_guard_insert BEFORE INSERT ON lots FOR EACH ROW WHEN (NEW.state <> 'issued')
  EXECUTE FUNCTION lots_guard();
CREATE TRIGGER lots_guard BEFORE UPDATE ON lots FOR EACH ROW EXECUTE FUNCTION lots_guard();
CREATE TRIGGER lots_no_delete BEFORE DELETE ON lots FOR EACH ROW EXECUTE FUNCTION forbid_delete();

CREATE FUNCTION smart_cigs_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.cig <> OLD.cig OR NEW.contracting_authority_id <> OLD.contracting_authority_id
     OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'SmartCIG %: identity fields are immutable', OLD.cig USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state = 'cancelled' THEN
    RAISE EXCEPTION 'SmartCIG %: a cancelled code cannot change', OLD.cig USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER smart_cigs_guard BEFORE UPDATE ON smart_cigs FOR EACH ROW EXECUTE FUNCTION smart_cigs_guard();
CREATE TRIGGER smart_cigs_no_delete BEFORE DELETE ON smart_cigs FOR EACH ROW EXECUTE FUNCTION forbid_delete();

-- Audit log: append-only, enforced here.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  actor_user_id uuid REFERENCES users (id),
  actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
  action text NOT NULL CHECK (action ~ '^[a-z_]+[.][a-z_]+$'),
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  before jsonb,
  after jsonb,
  request_id text
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
`;
