import { sql, type Kysely } from 'kysely';

/**
 * Sessions of the web portal: the cookie carries a random token, the database keeps its SHA-256, the
 * user, and when it expires or was ended (sign-out). A session is never reopened once ended.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
CREATE TABLE web_sessions (
  token_sha256 char(64) PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  user_id uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
  ended_at timestamptz,
  sign_in text NOT NULL CHECK (sign_in IN ('demo', 'oidc'))
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);
CREATE FUNCTION web_sessions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.token_sha256 <> OLD.token_sha256 OR NEW.user_id <> OLD.user_id OR NEW.created_at <> OLD.created_at
     OR NEW.expires_at <> OLD.expires_at OR NEW.sign_in <> OLD.sign_in
     OR (OLD.ended_at IS NOT NULL AND NEW.ended_at IS DISTINCT FROM OLD.ended_at) THEN
    RAISE EXCEPTION 'a web session only ends, once' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER web_sessions_guard BEFORE UPDATE ON web_sessions FOR EACH ROW EXECUTE FUNCTION web_sessions_guard();
`,
    )
    .execute(db);
}
