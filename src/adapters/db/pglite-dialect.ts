import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { DomainError } from '../../domain/shared/errors.js';

export interface PGliteDialectOptions {
  /**
   * A call that has waited for the session (or held it) this long is "not answering": the waiting
   * call fails with service_unavailable and `stalledMs` reports it (health and status say so).
   */
  statementTimeoutMs?: number;
}

/**
 * Kysely dialect for PGlite. PGlite is one session: a transaction must own it from BEGIN to COMMIT,
 * so connections are handed out one at a time behind a FIFO lock. (kysely-pglite's driver lacks this
 * lock, so two concurrent transactions interleave their statements; see docs/decisions.md.)
 *
 * Two guards against a frozen service: a call made outside a transaction from inside it (it would
 * wait for that very transaction forever) throws at once; a call waiting for the session longer than
 * `statementTimeoutMs` gives up, and the wait is reported through `stalledMs`.
 */
export class PGliteDialect implements Dialect {
  readonly #driver: PGliteDriver;
  constructor(client: PGlite, options: PGliteDialectOptions = {}) {
    this.#driver = new PGliteDriver(client, options.statementTimeoutMs ?? 15_000);
  }
  /** How long the oldest unanswered call has been waiting for (or holding) the session beyond the timeout; 0 when none. */
  stalledMs(now = performance.now()): number {
    return this.#driver.stalledMs(now);
  }
  get statementTimeoutMs(): number {
    return this.#driver.timeoutMs;
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return this.#driver;
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

/**
 * Marks the async context of a transaction's callback: the session belongs to it until it ends. The
 * scope is opened with `run` around the whole transaction (see `transactionScope`), never with
 * `enterWith`: on Node 20 `enterWith` from a promise continuation also marked sibling and caller
 * chains (two jobs started together, the outbox's claimDue, the open-data export's page reads), which
 * then failed as re-entrant while the other's transaction was open.
 */
interface TransactionMark {
  /** Set by the driver that begins the transaction inside this scope. */
  driver: PGliteDriver | undefined;
  open: boolean;
  /** The scope this one was opened in (a transaction started from inside another's callback). */
  parent: TransactionMark | undefined;
}
const transactionContext = new AsyncLocalStorage<TransactionMark>();

/**
 * Runs `work` (which starts one Kysely transaction) in its own async scope, so that the embedded
 * driver can tell a call made from inside that transaction (re-entrant: it would wait for itself)
 * from a concurrent one (it waits its turn). Costs nothing on PostgreSQL.
 */
export function transactionScope<T>(work: () => Promise<T>): Promise<T> {
  const parent = transactionContext.getStore();
  return transactionContext.run({ driver: undefined, open: false, parent }, work);
}

export class PGliteReentrancyError extends Error {
  constructor() {
    super(
      'PGlite re-entrancy: a database call outside the transaction was made from inside the transaction; ' +
        'PGlite has one session, so it would wait for that transaction forever. Use the store the ' +
        'transaction hands in, or make the call after the transaction has ended.',
    );
    this.name = 'PGliteReentrancyError';
  }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  readonly timeoutMs: number;
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  /** When the current holder got the session. */
  #heldSince: number | undefined;
  /** Start times of the calls waiting for the session. */
  readonly #waiting = new Set<{ since: number }>();

  constructor(client: PGlite, timeoutMs: number) {
    this.#connection = new PGliteConnection(client);
    this.timeoutMs = timeoutMs;
  }
  async init(): Promise<void> {}

  stalledMs(now: number): number {
    let oldest = this.#heldSince ?? now;
    for (const w of this.#waiting) oldest = Math.min(oldest, w.since);
    const age = now - oldest;
    return age > this.timeoutMs ? age : 0;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    for (let mark = transactionContext.getStore(); mark; mark = mark.parent) {
      if (mark.driver === this && mark.open) throw new PGliteReentrancyError();
    }
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    const waiter = { since: performance.now() };
    this.#waiting.add(waiter);
    let timer: NodeJS.Timeout | undefined;
    const turn = await Promise.race([
      previous.then(() => 'ready' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    this.#waiting.delete(waiter);
    if (turn === 'timeout') {
      // Give the place in the queue up: when its turn comes, it passes the session on at once.
      void previous.then(release);
      throw new DomainError(
        'service_unavailable',
        `the embedded database has not answered within ${this.timeoutMs} ms (DB_STATEMENT_TIMEOUT_MS)`,
        { reason: 'database_not_answering' },
      );
    }
    this.#release = release;
    this.#heldSince = performance.now();
    return this.#connection;
  }
  async releaseConnection(): Promise<void> {
    const mark = transactionContext.getStore();
    if (mark?.driver === this) mark.open = false;
    const release = this.#release;
    this.#release = undefined;
    this.#heldSince = undefined;
    release?.();
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // The scope opened by transactionScope around this transaction: everything its callback does (and
    // starts) carries the mark until the transaction ends. Without a scope there is no guard.
    const mark = transactionContext.getStore();
    if (mark && mark.driver === undefined) {
      mark.driver = this;
      mark.open = true;
    }
    await connection.executeQuery(CompiledQuery.raw('BEGIN'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    this.#closeMark();
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    this.#closeMark();
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }
  #closeMark(): void {
    const mark = transactionContext.getStore();
    if (mark?.driver === this) mark.open = false;
  }
  async destroy(): Promise<void> {
    // The owner of the PGlite instance closes it.
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #client: PGlite;
  constructor(client: PGlite) {
    this.#client = client;
  }
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // PGlite runs the statement on this thread and resolves at once: a transaction of many statements
    // awaited one after the other would never let the event loop reach its I/O phase (a 200-lot tender
    // held every other request for seconds). One turn of the loop before each statement.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (query.parameters.length === 0) {
      // Simple-query protocol: allows multi-statement scripts (migrations); the last result is returned.
      const results = await this.#client.exec(query.sql);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as R[], numAffectedRows: toBigInt(last?.affectedRows) };
    }
    const result = await this.#client.query<R>(query.sql, query.parameters as unknown[]);
    return { rows: result.rows, numAffectedRows: toBigInt(result.affectedRows) };
  }
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries');
  }
}

const toBigInt = (n: number | undefined): bigint | undefined => (n === undefined ? undefined : BigInt(n));
