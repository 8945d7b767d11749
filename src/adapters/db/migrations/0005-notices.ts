import { sql, type Kysely } from 'kysely';

/**
 * Official notices (comunicati), the outgoing protocol register of each AOO, relays of a notice to the
 * RUPs of a region with their transmission letter, the outbox of messages (one row per recipient),
 * certified e-mail receipts, and subscriptions to service notifications.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(SCHEMA).execute(db);
}

const SCHEMA = /* sql */ `
CREATE TABLE notices (
  id uuid PRIMARY KEY,
  title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
  notice_date date NOT NULL,
  body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
  kind text NOT NULL CHECK (kind IN ('outage', 'maintenance', 'restoration', 'information')),
  incident_id uuid REFERENCES incidents (id),
  source_url text CHECK (source_url ~ '^https?://'),
  state text NOT NULL CHECK (state IN ('draft', 'published')),
  restoration_of uuid REFERENCES notices (id),
  created_at timestamptz NOT NULL,
  created_by uuid REFERENCES users (id),
  published_at timestamptz,
  published_by uuid REFERENCES users (id),
  CHECK ((state = 'published') = (published_at IS NOT NULL))
);
CREATE INDEX notices_published_idx ON notices (published_at DESC) WHERE state = 'published';
CREATE TABLE notice_services (
  notice_id uuid NOT NULL REFERENCES notices (id),
  service_code text NOT NULL REFERENCES services (code),
  PRIMARY KEY (notice_id, service_code)
);
CREATE FUNCTION notices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'published' THEN
    RAISE EXCEPTION 'notice %: a published notice cannot change', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER notices_guard BEFORE UPDATE ON notices FOR EACH ROW EXECUTE FUNCTION notices_guard();
CREATE TRIGGER notices_no_delete BEFORE DELETE ON notices FOR EACH ROW EXECUTE FUNCTION forbid_delete();

-- Protocol register (DPR 445/2000): one counter per (AOO, register, year).
CREATE TABLE protocol_counters (
  aoo_code text NOT NULL,
  register_code text NOT NULL,
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
  last_number integer NOT NULL CHECK (last_number BETWEEN 1 AND 9999999),
  PRIMARY KEY (aoo_code, register_code, year)
);

CREATE TABLE protocol_registrations (
  id uuid PRIMARY KEY,
  aoo_code text NOT NULL,
  register_code text NOT NULL,
  year integer NOT NULL,
  number integer NOT NULL CHECK (number BETWEEN 1 AND 9999999),
  direction char(1) NOT NULL CHECK (direction IN ('U', 'E')),
  registered_at timestamptz NOT NULL,
  subject text NOT NULL CHECK (length(btrim(subject)) BETWEEN 1 AND 1000),
  correspondents jsonb NOT NULL,
  correspondent_count integer NOT NULL CHECK (correspondent_count >= 1),
  document_name text NOT NULL,
  document_sha256 char(64) NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
  segnatura_xml text NOT NULL,
  registered_by uuid REFERENCES users (id),
  UNIQUE (aoo_code, register_code, year, number),
  CHECK (year = extract(year FROM registered_at AT TIME ZONE 'Europe/Rome'))
);

-- A registration must use a number its counter has handed out (no hand-picked numbers; the numbers
-- below are all used, so UNIQUE stops a reuse), and a counter may only move forward together with the
-- registrations that use every number it handed out: checked at commit, so a transaction that takes
-- numbers and then fails takes nothing (no gap, no reuse). Several numbers may be taken at once.
CREATE FUNCTION protocol_registration_number() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE current integer;
BEGIN
  SELECT last_number INTO current FROM protocol_counters
   WHERE aoo_code = NEW.aoo_code AND register_code = NEW.register_code AND year = NEW.year;
  IF current IS NULL OR NEW.number > current THEN
    RAISE EXCEPTION 'protocol %/%/%: number % has not been taken from the register (last taken: %)', NEW.aoo_code,
      NEW.register_code, NEW.year, NEW.number, current USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER protocol_registration_number BEFORE INSERT ON protocol_registrations
  FOR EACH ROW EXECUTE FUNCTION protocol_registration_number();

CREATE FUNCTION protocol_counter_used() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  taken integer := NEW.last_number - CASE WHEN TG_OP = 'UPDATE' THEN OLD.last_number ELSE 0 END;
  used integer;
BEGIN
  IF taken < 1 THEN
    RAISE EXCEPTION 'protocol %/%/%: numbers only move forward', NEW.aoo_code, NEW.register_code, NEW.year
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT count(*) INTO used FROM protocol_registrations
   WHERE aoo_code = NEW.aoo_code AND register_code = NEW.register_code AND year = NEW.year
     AND number > NEW.last_number - taken AND number <= NEW.last_number;
  IF used <> taken THEN
    RAISE EXCEPTION 'protocol %/%/%: numbers % to % were taken without a registration each (% registered)', NEW.aoo_code,
      NEW.register_code, NEW.year, NEW.last_number - taken + 1, NEW.last_number, used USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER protocol_counter_used AFTER INSERT OR UPDATE ON protocol_counters
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION protocol_counter_used();
CREATE TRIGGER protocol_counters_no_delete BEFORE DELETE ON protocol_counters FOR EACH ROW EXECUTE FUNCTION forbid_delete();
CREATE TRIGGER protocol_registrations_append_only BEFORE UPDATE OR DELETE ON protocol_registrations
  FOR EACH ROW EXECUTE FUNCTION append_only();

CREATE TABLE protocol_annulments (
  registration_id uuid PRIMARY KEY REFERENCES protocol_registrations (id),
  annulled_at timestamptz NOT NULL,
  operator_id uuid NOT NULL REFERENCES users (id),
  operator_name text NOT NULL,
  measure text NOT NULL CHECK (length(btrim(measure)) BETWEEN 1 AND 500),
  reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 2000)
);
CREATE TRIGGER protocol_annulments_append_only BEFORE UPDATE OR DELETE ON protocol_annulments
  FOR EACH ROW EXECUTE FUNCTION append_only();

-- A relay of a notice by a regional section, with its transmission letter.
CREATE TABLE relays (
  id uuid PRIMARY KEY,
  notice_id uuid NOT NULL REFERENCES notices (id),
  regional_section_code text NOT NULL REFERENCES regional_sections (code),
  registration_id uuid NOT NULL UNIQUE REFERENCES protocol_registrations (id),
  restoration_of uuid REFERENCES relays (id),
  letter_pdf bytea NOT NULL,
  letter_sha256 char(64) NOT NULL,
  recipient_count integer NOT NULL CHECK (recipient_count >= 1),
  created_at timestamptz NOT NULL,
  created_by uuid NOT NULL REFERENCES users (id),
  UNIQUE (notice_id, regional_section_code)
);
CREATE TRIGGER relays_append_only BEFORE UPDATE OR DELETE ON relays FOR EACH ROW EXECUTE FUNCTION append_only();

-- Outbox: one row per (message, recipient), written in the same transaction as what causes it.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('relay', 'notification', 'confirmation')),
  channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
  relay_id uuid REFERENCES relays (id),
  subscription_id uuid,
  event_id uuid,
  recipient_name text NOT NULL,
  address text NOT NULL,
  contracting_authority_id uuid REFERENCES contracting_authorities (id),
  idempotency_key text NOT NULL UNIQUE,
  message_id text NOT NULL UNIQUE,
  subject text NOT NULL,
  body text NOT NULL,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'accepted', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  failure text CHECK (failure IN ('transient', 'permanent')),
  accepted_at timestamptz,
  delivered_at timestamptz,
  failed_at timestamptz,
  created_at timestamptz NOT NULL,
  CHECK ((kind = 'relay') = (relay_id IS NOT NULL)),
  UNIQUE (relay_id, address),
  UNIQUE (event_id, subscription_id)
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_relay_idx ON outbox (relay_id, state);

CREATE TABLE outbox_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_id uuid NOT NULL REFERENCES outbox (id),
  at timestamptz NOT NULL,
  event text NOT NULL CHECK (event IN ('queued', 'sent', 'accepted', 'delivered', 'failed', 'retried', 'receipt')),
  detail text
);
CREATE INDEX outbox_events_outbox_idx ON outbox_events (outbox_id, id);
CREATE TRIGGER outbox_events_append_only BEFORE UPDATE OR DELETE ON outbox_events FOR EACH ROW EXECUTE FUNCTION append_only();

-- Certified e-mail receipts: evidence, kept whether matched or not.
CREATE TABLE pec_receipts (
  id uuid PRIMARY KEY,
  outbox_id uuid REFERENCES outbox (id),
  kind text NOT NULL,
  reference_message_id text,
  recipient text,
  conformant boolean NOT NULL,
  problems jsonb NOT NULL,
  raw bytea NOT NULL,
  -- The same receipt delivered twice by the inbound channel is kept once.
  raw_sha256 char(64) NOT NULL UNIQUE,
  received_at timestamptz NOT NULL
);
CREATE INDEX pec_receipts_unmatched_idx ON pec_receipts (received_at) WHERE outbox_id IS NULL;
CREATE TRIGGER pec_receipts_append_only BEFORE UPDATE OR DELETE ON pec_receipts FOR EACH ROW EXECUTE FUNCTION append_only();

-- Subscriptions to service notifications.
CREATE TABLE subscriptions (
  id uuid PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
  address text NOT NULL CHECK (length(address) BETWEEN 3 AND 2000),
  secret text,
  state text NOT NULL CHECK (state IN ('pending', 'active', 'unsubscribed')),
  confirm_token_sha256 char(64) NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  unsubscribed_at timestamptz,
  CHECK ((channel = 'webhook') = (secret IS NOT NULL))
);
CREATE TABLE subscription_services (
  subscription_id uuid NOT NULL REFERENCES subscriptions (id),
  service_code text NOT NULL REFERENCES services (code),
  PRIMARY KEY (subscription_id, service_code)
);

-- A notification event exists once per real change (its key), whatever re-runs or retries.
CREATE TABLE notification_events (
  id uuid PRIMARY KEY,
  event_key text NOT NULL UNIQUE,
  kind text NOT NULL,
  services text[] NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
`;
