import { sql, type Kysely } from 'kysely';

/**
 * The SIMOG web service interface (issue 13): session tickets (stored hashed, with an expiry, revoked by
 * chiudiSessione, tied to the API token they were obtained with), the tender data a SIMOG client sends
 * that gara's tenders do not hold (station, amounts, the GaraType attributes as sent), and per lot the
 * LottoType attributes gara lacks (ID_CATEGORIA_PREVALENTE, IMPORTO_SA/IMPRESA, ...), its CUPs and its
 * publication data. A tender number is reserved by inserisciGara; the tender row is created with the
 * first lot (gara's tenders need a procedure type and a contract object, which SIMOG sends per lot).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE simog_tickets (
  ticket_sha256 char(64) PRIMARY KEY,
  api_token_sha256 char(64) NOT NULL REFERENCES api_tokens (token_sha256),
  user_id uuid NOT NULL REFERENCES users (id),
  cf_rup varchar(16),
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > issued_at),
  revoked_at timestamptz
);
CREATE INDEX simog_tickets_expiry ON simog_tickets (expires_at);

CREATE TABLE simog_tenders (
  tender_number integer PRIMARY KEY CHECK (tender_number BETWEEN 1000000 AND 9999999),
  tender_id uuid UNIQUE REFERENCES tenders (id),
  contracting_authority_id uuid NOT NULL REFERENCES contracting_authorities (id),
  rup_user_id uuid NOT NULL REFERENCES users (id),
  object text NOT NULL CHECK (length(btrim(object)) BETWEEN 1 AND 1024),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  attributes jsonb NOT NULL,
  perfected_at timestamptz,
  -- a reserved number cancelled before its first lot (a tender with lots is cancelled in tenders)
  cancelled_at timestamptz,
  cancel_reason smallint,
  cancel_note text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE simog_lots (
  cig char(10) PRIMARY KEY REFERENCES lots (cig),
  attributes jsonb NOT NULL,
  cup jsonb,
  publication jsonb,
  updated_at timestamptz NOT NULL
);
`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TABLE simog_lots; DROP TABLE simog_tenders; DROP TABLE simog_tickets;').execute(db);
}
