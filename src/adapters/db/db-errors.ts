import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { DomainError } from '../../domain/shared/errors.js';

/**
 * PostgreSQL (and PGlite) errors become DomainErrors here, at the driver: nothing above `adapters/db`
 * sees an SQLSTATE. The DomainError keeps the database's own words as its `message` (logs, the CLI,
 * tests on raw SQL) and says what a client may be told in `detail`; the original error is its `cause`.
 */

/** PostgreSQL error fields we rely on; both pg and PGlite errors carry them. */
export interface PgErrorLike {
  code?: string;
  constraint?: string;
  message: string;
}

export function isPgError(error: unknown): error is PgErrorLike {
  return (
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
  );
}

/** SQLSTATEs of a server shutting down, a lost or refused connection, too many connections. */
const DB_UNAVAILABLE = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300',
  // A failover: a connection that reached a node just demoted (or not yet promoted) is read-only.
  '25006',
]);
const NET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'EAI_AGAIN',
]);

/** The database (or the network to it) is down: answered 503, never 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (DB_UNAVAILABLE.has(code) || NET_UNAVAILABLE.has(code))) return true;
  const message = String((error as { message?: unknown }).message ?? '');
  // pg reports a lost server in messages only: a refused or timed-out connect, a connection cut under a
  // query, a pooled client whose connection already failed ("... is not queryable").
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|connection error and is not queryable|Query read timeout|the database system is (in recovery mode|starting up|shutting down)|cannot execute \w+ in a read-only transaction/i.test(
    message,
  );
}

/** Database rules a request can run into on its own (not a race): said in words, as a rule violation. */
export const CONSTRAINT_RULES: Readonly<Record<string, string>> = {
  lots_number_cap: 'a tender has at most 9,000 lots',
  provisional_lots_number_cap: 'a procedure has at most 9,000 lots',
  lots_amount_cap: 'a lot amounts to at most 9,999,999,999.99 euro',
  provisional_lots_amount_cap: 'a lot amounts to at most 9,999,999,999.99 euro',
};

/**
 * The DomainError a database error means, or the error itself when it means nothing we know (a bug:
 * answered 500). A DomainError passes through unchanged.
 *
 * - connection lost, refused, timed out, server shutting down → `service_unavailable`
 * - serialization failure (40001) or deadlock (40P01) → `conflict`, retry after 1 s
 * - a check named in CONSTRAINT_RULES → `rule_violation`, reason = the constraint
 * - any other integrity violation (class 23: unique, foreign key, check, exclusion; a trigger raising
 *   one) → `conflict`, reason = the constraint (or `sqlstate_<code>`): what a concurrent request changed
 *   under the service's own checks
 */
export function translateDbError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  if (isDatabaseUnavailable(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new DomainError('service_unavailable', message, {
      detail: 'the database is not reachable; retry shortly',
      cause: error,
    });
  }
  if (!isPgError(error)) return error;
  if (error.code === '40001' || error.code === '40P01') {
    return new DomainError('conflict', error.message, {
      detail: 'a concurrent change interfered; retry the request',
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  const rule = error.constraint ? CONSTRAINT_RULES[error.constraint] : undefined;
  if (rule !== undefined) {
    return new DomainError('rule_violation', error.message, {
      detail: rule,
      reason: error.constraint,
      cause: error,
    });
  }
  if (error.code?.startsWith('23')) {
    return new DomainError('conflict', error.message, {
      detail: 'the change conflicts with the current data; reload and retry',
      reason: error.constraint || `sqlstate_${error.code}`,
      cause: error,
    });
  }
  return error;
}

async function translating<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateDbError(error);
  }
}

class TranslatingConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return translating(() => this.inner.executeQuery<R>(query));
  }
  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (error) {
      throw translateDbError(error);
    }
  }
}

const innerOf = (connection: DatabaseConnection): DatabaseConnection =>
  connection instanceof TranslatingConnection ? connection.inner : connection;

type CompileQuery = QueryCompiler['compileQuery'];

/** A driver whose every call (connect, query, begin, commit, rollback) reports DomainErrors. */
class TranslatingDriver implements Driver {
  constructor(readonly inner: Driver) {}
  init(): Promise<void> {
    return translating(() => this.inner.init());
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    return new TranslatingConnection(await translating(() => this.inner.acquireConnection()));
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return translating(() => this.inner.beginTransaction(innerOf(connection), settings));
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return translating(() => this.inner.commitTransaction(innerOf(connection)));
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return translating(() => this.inner.rollbackTransaction(innerOf(connection)));
  }
  savepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    const inner = this.inner;
    if (!inner.savepoint) throw new Error('the driver has no savepoints');
    return translating(() => inner.savepoint!(innerOf(connection), name, compile));
  }
  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    const inner = this.inner;
    if (!inner.rollbackToSavepoint) throw new Error('the driver has no savepoints');
    return translating(() => inner.rollbackToSavepoint!(innerOf(connection), name, compile));
  }
  releaseSavepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    const inner = this.inner;
    if (!inner.releaseSavepoint) throw new Error('the driver has no savepoints');
    return translating(() => inner.releaseSavepoint!(innerOf(connection), name, compile));
  }
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** Wraps a dialect so that its driver translates database errors (see translateDbError). */
export function translatingErrors(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new TranslatingDriver(dialect.createDriver()),
    createIntrospector: (db: Kysely<unknown>) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}
