import { sql, type Kysely } from 'kysely';

/**
 * Contributions owed to the Authority and their collection through pagoPA: payment positions with
 * their notice numbers, the receipts the node sends (kept as evidence, applied exactly once), the
 * monthly groupings of what contracting authorities owe, and the imported reporting flows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(SCHEMA).execute(db);
}

const SCHEMA = /* sql */ `
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$;

-- IUV base = year (4 digits) + this sequence (9 digits): unique across years, never reused.
CREATE SEQUENCE iuv_seq AS bigint MINVALUE 1 MAXVALUE 999999999 START 1;

CREATE TABLE sa_groupings (
  id uuid PRIMARY KEY,
  contracting_authority_id uuid NOT NULL REFERENCES contracting_authorities (id),
  period char(7) NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  tender_count integer NOT NULL CHECK (tender_count > 0),
  created_at timestamptz NOT NULL,
  UNIQUE (contracting_authority_id, period)
);

CREATE TABLE sa_grouping_items (
  grouping_id uuid NOT NULL REFERENCES sa_groupings (id),
  tender_id uuid NOT NULL REFERENCES tenders (id) UNIQUE,
  tender_amount_cents bigint NOT NULL CHECK (tender_amount_cents > 0),
  fee_cents bigint NOT NULL CHECK (fee_cents > 0),
  fee_table text NOT NULL,
  PRIMARY KEY (grouping_id, tender_id)
);

CREATE TABLE payment_positions (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('bidder_lot', 'authority_grouping')),
  iuv char(17) NOT NULL UNIQUE CHECK (iuv ~ '^[0-9]{17}$'),
  notice_number char(18) NOT NULL UNIQUE CHECK (notice_number ~ '^3[0-9]{17}$' AND substr(notice_number, 2) = iuv),
  creditor_fiscal_code char(11) NOT NULL CHECK (creditor_fiscal_code ~ '^[0-9]{11}$'),
  debtor_fiscal_code varchar(16) NOT NULL CHECK (debtor_fiscal_code ~ '^([0-9]{11}|[A-Z0-9]{16})$'),
  debtor_name text NOT NULL CHECK (length(btrim(debtor_name)) BETWEEN 1 AND 500),
  debtor_type char(1) NOT NULL CHECK (debtor_type IN ('F', 'G')),
  economic_operator_id uuid REFERENCES economic_operators (id),
  lot_id uuid REFERENCES lots (id),
  grouping_id uuid REFERENCES sa_groupings (id) UNIQUE,
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 140),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  due_date date NOT NULL,
  fee_table text NOT NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'paid', 'cancelled')),
  activated_at timestamptz,
  paid_at timestamptz,
  paid_receipt_id text,
  settled_at timestamptz,
  settlement_flow_id text,
  created_at timestamptz NOT NULL,
  created_by uuid REFERENCES users (id),
  CHECK ((kind = 'bidder_lot') = (lot_id IS NOT NULL AND economic_operator_id IS NOT NULL)),
  CHECK ((kind = 'authority_grouping') = (grouping_id IS NOT NULL)),
  CHECK ((state = 'paid') = (paid_at IS NOT NULL AND paid_receipt_id IS NOT NULL)),
  UNIQUE (lot_id, debtor_fiscal_code)
);
CREATE INDEX payment_positions_operator_idx ON payment_positions (economic_operator_id, created_at DESC);

CREATE FUNCTION payment_positions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.iuv <> OLD.iuv OR NEW.notice_number <> OLD.notice_number
     OR NEW.amount_cents <> OLD.amount_cents OR NEW.debtor_fiscal_code <> OLD.debtor_fiscal_code
     OR NEW.creditor_fiscal_code <> OLD.creditor_fiscal_code THEN
    RAISE EXCEPTION 'payment position %: identity and amount are immutable', OLD.notice_number
      USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state <> NEW.state AND NOT (OLD.state = 'open' AND NEW.state IN ('paid', 'cancelled')) THEN
    RAISE EXCEPTION 'payment position %: % -> % not allowed', OLD.notice_number, OLD.state, NEW.state
      USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state = 'paid' AND (NEW.paid_at IS DISTINCT FROM OLD.paid_at OR NEW.paid_receipt_id IS DISTINCT FROM OLD.paid_receipt_id) THEN
    RAISE EXCEPTION 'payment position %: a payment is recorded once', OLD.notice_number USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER payment_positions_guard BEFORE UPDATE ON payment_positions FOR EACH ROW EXECUTE FUNCTION payment_positions_guard();
CREATE TRIGGER payment_positions_no_delete BEFORE DELETE ON payment_positions FOR EACH ROW EXECUTE FUNCTION forbid_delete();

-- Every receipt the node sends is evidence: stored as received, never changed or deleted, whether it
-- was applied, repeated, or could not be matched (kept for review).
CREATE TABLE receipts (
  id uuid PRIMARY KEY,
  position_id uuid REFERENCES payment_positions (id),
  status text NOT NULL CHECK (status IN ('applied', 'repeated', 'review', 'ko')),
  fault_code text,
  version text NOT NULL CHECK (version IN ('v1', 'v2')),
  receipt_id text NOT NULL CHECK (length(receipt_id) BETWEEN 1 AND 64),
  notice_number text NOT NULL,
  creditor_fiscal_code text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('OK', 'KO')),
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  psp_id text NOT NULL,
  psp_name text NOT NULL,
  channel_id text NOT NULL,
  payment_method text,
  payment_date_time timestamptz,
  payer_fiscal_code text,
  raw_xml text NOT NULL,
  received_at timestamptz NOT NULL,
  CHECK (status <> 'applied' OR (position_id IS NOT NULL AND fault_code IS NULL AND outcome = 'OK'))
);
-- A payment is applied exactly once, whatever the retries and races.
CREATE UNIQUE INDEX receipts_applied_once ON receipts (position_id) WHERE status = 'applied';
CREATE INDEX receipts_notice_idx ON receipts (notice_number, received_at);
CREATE INDEX receipts_review_idx ON receipts (received_at) WHERE status = 'review';
CREATE TRIGGER receipts_append_only BEFORE UPDATE OR DELETE ON receipts
  FOR EACH ROW EXECUTE FUNCTION append_only();

CREATE TABLE reporting_flows (
  flow_id text PRIMARY KEY CHECK (length(flow_id) BETWEEN 1 AND 35),
  flow_date_time timestamptz NOT NULL,
  settlement_id text NOT NULL,
  settlement_date date NOT NULL,
  psp_id text NOT NULL,
  total_payments integer NOT NULL CHECK (total_payments >= 0),
  total_amount_cents bigint NOT NULL CHECK (total_amount_cents >= 0),
  settled_count integer NOT NULL,
  unknown_count integer NOT NULL,
  mismatch_count integer NOT NULL,
  raw_xml text NOT NULL,
  imported_at timestamptz NOT NULL,
  imported_by uuid REFERENCES users (id)
);

CREATE TABLE reporting_flow_lines (
  flow_id text NOT NULL REFERENCES reporting_flows (flow_id),
  line integer NOT NULL CHECK (line >= 1),
  iuv text NOT NULL,
  receipt_id text NOT NULL,
  amount_cents bigint NOT NULL,
  outcome smallint NOT NULL,
  outcome_date date NOT NULL,
  position_id uuid REFERENCES payment_positions (id),
  result text NOT NULL CHECK (result IN ('settled', 'unknown_iuv', 'amount_mismatch', 'not_settled')),
  expected_amount_cents bigint,
  PRIMARY KEY (flow_id, line)
);
CREATE TRIGGER reporting_flow_lines_append_only BEFORE UPDATE OR DELETE ON reporting_flow_lines
  FOR EACH ROW EXECUTE FUNCTION append_only();
`;
