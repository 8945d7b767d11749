import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { translatingErrors } from './db-errors.js';
import { PGliteDialect } from './pglite-dialect.js';
import { lockDataDir } from '../fs/data-dir-lock.js';
import type { DB } from './schema.js';

export type Database = Kysely<DB>;
export type Engine = 'pglite' | 'postgres';

export interface DatabaseOptions {
  /** postgres://... ; when absent the embedded PGlite engine is used. */
  url?: string | undefined;
  /** PGlite data directory; absent = in memory. */
  dataDir?: string | undefined;
  /** PGlite only: start from a dump made by `dumpDataDir` (tests start from a migrated template). */
  loadDataDir?: Blob | undefined;
  poolSize?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** PostgreSQL only: schema to work in (tests isolate themselves this way). */
  schema?: string | undefined;
  onPoolError?: (error: Error) => void;
}

export interface DatabaseHandle {
  db: Database;
  engine: Engine;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: the whole database as a tarball. */
  dumpDataDir?: () => Promise<Blob>;
}

const INT8 = 20;
const DATE = 1082;

/** int8 -> number (all our int8 values are below 2^53: cents, ordinals); date -> 'YYYY-MM-DD'. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (value: string) => Number(value);
    if (oid === DATE) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/**
 * bytea in and out of PGlite with Node's native hex codec. PGlite's own (a JavaScript array of one
 * string per byte) took ~3 s each way for a 4 MB PEC receipt; this takes milliseconds. PostgreSQL's
 * hex format: `\\x` then two hex digits per byte; the result is a Buffer, as the pg driver gives.
 */
function serializeBytea(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new Error('Invalid input for bytea type');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

function parseBytea(value: string): Buffer {
  return Buffer.from(value.slice(2), 'hex');
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options) : openPglite(options);
}

async function openPglite(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // One process per data directory: a second one would corrupt it (refused with a clear message).
  const lock = options.dataDir ? lockDataDir(options.dataDir) : undefined;
  let client: PGlite;
  try {
    client = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      // The WASM heap only grows: PostgreSQL's default 128 MB of shared buffers would sit in it for good.
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
      parsers: {
        [pgliteTypes.INT8]: (value: string) => Number(value),
        [pgliteTypes.DATE]: (value: string) => value,
        [pgliteTypes.BYTEA]: parseBytea,
      },
      serializers: { [pgliteTypes.BYTEA]: serializeBytea },
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const dialect = new PGliteDialect(client, { statementTimeoutMs: options.statementTimeoutMs ?? 30000 });
  const db = new Kysely<DB>({ dialect: translatingErrors(dialect) });
  return {
    db,
    engine: 'pglite',
    ping: async () => {
      // PGlite cannot interrupt a statement: a call that has not answered within the statement
      // timeout is reported here, so readiness and the status page say the database is not answering.
      const stalled = dialect.stalledMs();
      if (stalled > 0)
        throw new Error(
          `the embedded database has not answered a call for ${Math.round(stalled)} ms (DB_STATEMENT_TIMEOUT_MS = ${dialect.statementTimeoutMs})`,
        );
      await sql`SELECT 1`.execute(db);
    },
    close: async () => {
      await db.destroy();
      await client.close();
      lock?.release();
    },
    dumpDataDir: async () => (await client.dumpDataDir('none')) as Blob,
  };
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs ?? 30000,
    types: pgTypes,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A client losing its server (idle, or in the middle of a transaction: e.g. its backend terminated)
  // must not crash the process: the pending query reports the error, the next one reconnects.
  pool.on('error', (error) => options.onPoolError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  const db = new Kysely<DB>({
    dialect: translatingErrors(new PostgresDialect({ pool: withPreparedStatements(pool) })),
  });
  const pinger = pingConnection(url, options);
  return {
    db,
    engine: 'postgres',
    ping: pinger.ping,
    close: async () => {
      await pinger.close();
      await db.destroy();
    },
  };
}

/**
 * The health ping has a connection of its own, outside the pool: with every pooled connection busy
 * under load the ping would wait in the pool's queue and report a healthy database as down. The
 * connection is opened on the first ping and opened again after any error.
 */
function pingConnection(url: string, options: DatabaseOptions) {
  let client: Promise<pg.Client> | undefined;
  const open = async () => {
    const c = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      // Named, so that an operator (or a test) can tell it from the pool's connections.
      application_name: `gara-ping${options.schema ? ` ${options.schema}` : ''}`.slice(0, 63),
    });
    c.on('error', (error) => options.onPoolError?.(error));
    await c.connect();
    return c;
  };
  const drop = async () => {
    const c = client;
    client = undefined;
    await c?.then((x) => x.end()).catch(() => undefined);
  };
  return {
    ping: async () => {
      client ??= open();
      try {
        await (await client).query('SELECT 1');
      } catch (error) {
        await drop();
        throw error;
      }
    },
    close: drop,
  };
}

/**
 * Every parameterised query runs as a named prepared statement (named by a hash of its text), so
 * PostgreSQL parses and plans each query shape once per connection instead of once per request.
 * Kysely emits a bounded set of query texts, so the per-connection statement cache stays small.
 */
function withPreparedStatements(pool: pg.Pool): pg.Pool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) {
      name = `k${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      if (names.size < 10_000) names.set(text, name);
    }
    return name;
  };
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  pool.connect = (async () => {
    const client = await connect();
    const marked = client as pg.PoolClient & { __prepared?: boolean };
    if (!marked.__prepared) {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
        text: unknown,
        values?: unknown,
      ) =>
        typeof text === 'string' && Array.isArray(values) && values.length > 0
          ? query({ name: nameOf(text), text, values })
          : query(text, values);
      marked.__prepared = true;
    }
    return client;
  }) as pg.Pool['connect'];
  return pool;
}

export { isPgError, type PgErrorLike } from './db-errors.js';
