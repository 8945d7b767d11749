import { sql, type Kysely } from 'kysely';

/**
 * Continuity: the services and their incidents and maintenance (the outage windows are recorded facts),
 * contingency procedures registered with a provisional reference while CIGs cannot be issued, their
 * regularisation, and bidders admitted with reserve while payments are impossible.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(SCHEMA).execute(db);
}

const SCHEMA = /* sql */ `
CREATE TABLE services (
  code text PRIMARY KEY CHECK (code ~ '^[a-z_]{2,40}$'),
  name text NOT NULL,
  description text NOT NULL,
  position smallint NOT NULL UNIQUE
);
INSERT INTO services (code, name, description, position) VALUES
  ('cig_issuance', 'Acquisizione CIG', 'Creazione delle gare e rilascio dei CIG', 1),
  ('smart_cig', 'SmartCIG', 'Rilascio dei CIG semplificati per i contratti sotto 40.000 euro', 2),
  ('contribution_payments', 'Pagamento dei contributi', 'Avvisi e pagamenti pagoPA del contributo di gara', 3),
  ('publication_data', 'Dati di pubblicazione', 'Perfezionamento dei CIG e comunicazione dei dati di pubblicazione', 4),
  ('notices', 'Comunicati e notifiche', 'Comunicati dell''Autorità e loro inoltro ai RUP', 5),
  ('portal', 'Portale', 'Il portale e le API dei servizi', 6);

CREATE SEQUENCE incident_seq AS integer MINVALUE 1 START 1;

CREATE TABLE incidents (
  id uuid PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^INC-[0-9]{4}-[0-9]{4,}$'),
  title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  impact text NOT NULL CHECK (impact IN ('degraded', 'partial_outage', 'major_outage')),
  state text NOT NULL CHECK (state IN ('investigating', 'identified', 'monitoring', 'resolved')),
  source text NOT NULL CHECK (source IN ('staff', 'probe')),
  started_at timestamptz NOT NULL,
  resolved_at timestamptz,
  created_at timestamptz NOT NULL,
  created_by uuid REFERENCES users (id),
  CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
  CHECK (resolved_at IS NULL OR resolved_at >= started_at)
);
CREATE INDEX incidents_window_idx ON incidents (started_at, resolved_at);

CREATE TABLE incident_services (
  incident_id uuid NOT NULL REFERENCES incidents (id),
  service_code text NOT NULL REFERENCES services (code),
  PRIMARY KEY (incident_id, service_code)
);

CREATE TABLE incident_updates (
  id uuid PRIMARY KEY,
  incident_id uuid NOT NULL REFERENCES incidents (id),
  state text NOT NULL CHECK (state IN ('investigating', 'identified', 'monitoring', 'resolved')),
  message text NOT NULL CHECK (length(btrim(message)) BETWEEN 1 AND 4000),
  at timestamptz NOT NULL,
  created_by uuid REFERENCES users (id)
);
CREATE INDEX incident_updates_incident_idx ON incident_updates (incident_id, at);
CREATE TRIGGER incident_updates_append_only BEFORE UPDATE OR DELETE ON incident_updates
  FOR EACH ROW EXECUTE FUNCTION append_only();

-- A resolved incident is a recorded outage window: it never changes again.
CREATE FUNCTION incidents_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'resolved' THEN
    RAISE EXCEPTION 'incident %: a resolved incident is a recorded fact and cannot change', OLD.code
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.id <> OLD.id OR NEW.code <> OLD.code OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'incident %: identity fields are immutable', OLD.code USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER incidents_guard BEFORE UPDATE ON incidents FOR EACH ROW EXECUTE FUNCTION incidents_guard();
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents FOR EACH ROW EXECUTE FUNCTION forbid_delete();

CREATE TABLE maintenances (
  id uuid PRIMARY KEY,
  title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  description text NOT NULL CHECK (length(description) <= 4000),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
  cancelled_at timestamptz,
  created_at timestamptz NOT NULL,
  created_by uuid REFERENCES users (id)
);
CREATE TABLE maintenance_services (
  maintenance_id uuid NOT NULL REFERENCES maintenances (id),
  service_code text NOT NULL REFERENCES services (code),
  PRIMARY KEY (maintenance_id, service_code)
);
CREATE TRIGGER maintenances_no_delete BEFORE DELETE ON maintenances FOR EACH ROW EXECUTE FUNCTION forbid_delete();

-- Contingency procedures: "CIG in fase di acquisizione".
CREATE SEQUENCE provisional_seq AS integer MINVALUE 1 MAXVALUE 999999 START 1;

CREATE TABLE provisional_procedures (
  id uuid PRIMARY KEY,
  reference text NOT NULL UNIQUE CHECK (reference ~ '^PROV-[0-9]{4}-[0-9]{6}$'),
  contracting_authority_id uuid NOT NULL REFERENCES contracting_authorities (id),
  rup_user_id uuid NOT NULL REFERENCES users (id),
  object text NOT NULL CHECK (length(btrim(object)) BETWEEN 1 AND 1024),
  procedure_type_code text NOT NULL REFERENCES procedure_types (code),
  sector text NOT NULL CHECK (sector IN ('ordinary', 'special')),
  contract_object text NOT NULL CHECK (contract_object IN ('works', 'supplies', 'services')),
  urgency_reason_code text NOT NULL REFERENCES urgency_reasons (code),
  motivation text NOT NULL CHECK (length(btrim(motivation)) BETWEEN 10 AND 4000),
  incident_id uuid NOT NULL REFERENCES incidents (id),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'regularised')),
  registered_at timestamptz NOT NULL,
  regularisation_deadline date NOT NULL,
  regularised_at timestamptz,
  tender_id uuid REFERENCES tenders (id) UNIQUE,
  CHECK ((state = 'regularised') = (regularised_at IS NOT NULL AND tender_id IS NOT NULL))
);
CREATE INDEX provisional_pending_idx ON provisional_procedures (regularisation_deadline) WHERE state = 'pending';

CREATE TABLE provisional_lots (
  id uuid PRIMARY KEY,
  procedure_id uuid NOT NULL REFERENCES provisional_procedures (id),
  lot_number integer NOT NULL CHECK (lot_number >= 1),
  object text NOT NULL CHECK (length(btrim(object)) BETWEEN 1 AND 1024),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  cpv_code char(8) NOT NULL REFERENCES cpv_codes (code),
  istat_place_code char(9) NOT NULL REFERENCES istat_places (code),
  publication_date date NOT NULL,
  bid_deadline timestamptz NOT NULL,
  lot_id uuid UNIQUE REFERENCES lots (id),
  UNIQUE (procedure_id, lot_number),
  CHECK ((bid_deadline AT TIME ZONE 'Europe/Rome')::date > publication_date)
);

CREATE FUNCTION provisional_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'provisional_procedures' THEN
    IF OLD.state = 'regularised' THEN
      RAISE EXCEPTION 'provisional procedure %: regularised, it cannot change', OLD.reference USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.reference <> OLD.reference OR NEW.registered_at <> OLD.registered_at OR NEW.incident_id <> OLD.incident_id THEN
      RAISE EXCEPTION 'provisional procedure %: registered data are immutable', OLD.reference USING ERRCODE = 'check_violation';
    END IF;
  ELSIF OLD.lot_id IS NOT NULL THEN
    RAISE EXCEPTION 'provisional lot %: its CIG is bound for good', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER provisional_procedures_guard BEFORE UPDATE ON provisional_procedures FOR EACH ROW EXECUTE FUNCTION provisional_guard();
CREATE TRIGGER provisional_lots_guard BEFORE UPDATE ON provisional_lots FOR EACH ROW EXECUTE FUNCTION provisional_guard();
CREATE TRIGGER provisional_procedures_no_delete BEFORE DELETE ON provisional_procedures FOR EACH ROW EXECUTE FUNCTION forbid_delete();
CREATE TRIGGER provisional_lots_no_delete BEFORE DELETE ON provisional_lots FOR EACH ROW EXECUTE FUNCTION forbid_delete();

-- Bidders admitted "con riserva" because paying was impossible during an incident.
CREATE TABLE reserves (
  id uuid PRIMARY KEY,
  lot_id uuid NOT NULL REFERENCES lots (id),
  fiscal_code varchar(16) NOT NULL CHECK (fiscal_code ~ '^([0-9]{11}|[A-Z0-9]{16})$'),
  bidder_name text NOT NULL CHECK (length(btrim(bidder_name)) BETWEEN 1 AND 500),
  incident_id uuid NOT NULL REFERENCES incidents (id),
  note text,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'lifted', 'expired')),
  deadline date NOT NULL,
  recorded_at timestamptz NOT NULL,
  recorded_by uuid NOT NULL REFERENCES users (id),
  lifted_at timestamptz,
  lifted_by_receipt text,
  expired_at timestamptz,
  CHECK ((state = 'lifted') = (lifted_at IS NOT NULL AND lifted_by_receipt IS NOT NULL)),
  CHECK ((state = 'expired') = (expired_at IS NOT NULL)),
  UNIQUE (lot_id, fiscal_code)
);
CREATE INDEX reserves_open_idx ON reserves (fiscal_code) WHERE state = 'open';

CREATE FUNCTION reserves_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state <> 'open' THEN
    RAISE EXCEPTION 'reserve %: % reserves cannot change', OLD.id, OLD.state USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.lot_id <> OLD.lot_id OR NEW.fiscal_code <> OLD.fiscal_code OR NEW.recorded_at <> OLD.recorded_at THEN
    RAISE EXCEPTION 'reserve %: recorded data are immutable', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER reserves_guard BEFORE UPDATE ON reserves FOR EACH ROW EXECUTE FUNCTION reserves_guard();
CREATE TRIGGER reserves_no_delete BEFORE DELETE ON reserves FOR EACH ROW EXECUTE FUNCTION forbid_delete();
`;
