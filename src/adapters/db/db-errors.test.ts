import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/shared/errors.js';
import { createTestDatabase, engineName, type TestDatabase } from '../../../test/support/test-db.js';
import { openDatabase } from './database.js';
import { translateDbError } from './db-errors.js';

const pgError = (fields: { code: string; constraint?: string; message?: string }) =>
  Object.assign(new Error(fields.message ?? 'database error'), fields);

describe('translateDbError', () => {
  it('a unique or foreign-key violation is a conflict naming the constraint; the message keeps the database words', () => {
    const error = translateDbError(
      pgError({ code: '23505', constraint: 'users_email_key', message: 'duplicate key value' }),
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: 'conflict',
      reason: 'users_email_key',
      message: 'duplicate key value',
      detail: 'the change conflicts with the current data; reload and retry',
    });
    expect(translateDbError(pgError({ code: '23P01' }))).toMatchObject({
      code: 'conflict',
      reason: 'sqlstate_23P01',
    });
  });

  it('a rule the database holds is a rule violation said in words', () => {
    expect(translateDbError(pgError({ code: '23514', constraint: 'lots_amount_cap' }))).toMatchObject({
      code: 'rule_violation',
      reason: 'lots_amount_cap',
      detail: 'a lot amounts to at most 9,999,999,999.99 euro',
    });
  });

  it('a serialization failure is a conflict to retry after a second', () => {
    const error = translateDbError(pgError({ code: '40001' }));
    expect(error).toMatchObject({ code: 'conflict', retryAfterSeconds: 1, reason: undefined });
  });

  it('a deadlock (one side aborted by PostgreSQL) is a conflict to retry, not a 500', () => {
    // A keyed lot issuance and the same tender's cancellation at one instant can deadlock (decision 39).
    const error = translateDbError(pgError({ code: '40P01' }));
    expect(error).toMatchObject({ code: 'conflict', retryAfterSeconds: 1, reason: undefined });
  });

  it('a lost, refused or shut-down connection is service_unavailable', () => {
    for (const error of [
      pgError({ code: '57P01' }),
      pgError({ code: 'ECONNREFUSED' }),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
    ]) {
      expect(translateDbError(error), error.message).toMatchObject({
        code: 'service_unavailable',
        detail: 'the database is not reachable; retry shortly',
        cause: error,
      });
    }
  });

  it('anything else passes unchanged (a DomainError, a syntax error, a bug)', () => {
    const domain = new DomainError('not_found', 'lot not found');
    expect(translateDbError(domain)).toBe(domain);
    const syntax = pgError({ code: '42601' });
    expect(translateDbError(syntax)).toBe(syntax);
    const bug = new TypeError('x is undefined');
    expect(translateDbError(bug)).toBe(bug);
  });
});

describe(`database errors come out of adapters/db as DomainErrors (${engineName()})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 2 });
  });
  afterAll(() => db.destroy());

  it('a duplicate e-mail is a conflict naming users_email_key', async () => {
    const user = (id: string) =>
      sql`INSERT INTO users (id, name, email, role, created_at, updated_at)
          VALUES (${id}, 'A', 'same@example.it', 'admin', now(), now())`;
    await user(crypto.randomUUID()).execute(db.db);
    const error: unknown = await user(crypto.randomUUID())
      .execute(db.db)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'conflict', reason: 'users_email_key' });
    expect((error as Error).message).toMatch(/duplicate key|unique/i);
  });

  it('a check failing at COMMIT (a deferred rule) is translated too', async () => {
    await sql`CREATE TABLE IF NOT EXISTS db_errors_probe (n int UNIQUE DEFERRABLE INITIALLY DEFERRED)`.execute(
      db.db,
    );
    const error: unknown = await db.db
      .transaction()
      .execute(async (tx) => {
        await sql`INSERT INTO db_errors_probe VALUES (1), (1)`.execute(tx);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'conflict', reason: 'db_errors_probe_n_key' });
  });

  it('a syntax error stays what it is (a bug: 500)', async () => {
    const error: unknown = await sql`SELEC 1`.execute(db.db).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(DomainError);
  });

  it.skipIf(!process.env.DATABASE_URL)('an unreachable server is service_unavailable', async () => {
    const nowhere = await openDatabase({
      url: 'postgres://postgres@127.0.0.1:1/none',
      connectTimeoutMs: 500,
    });
    const error: unknown = await sql`SELECT 1`.execute(nowhere.db).catch((e: unknown) => e);
    await nowhere.close();
    expect(error).toMatchObject({ code: 'service_unavailable' });
  });
});
