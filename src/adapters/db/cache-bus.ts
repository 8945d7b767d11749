import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import type { Database } from './database.js';
import type { CacheBus, CacheEvent } from '../../services/cache-bus.js';

export type { CacheBus, CacheEvent } from '../../services/cache-bus.js';

const CHANNEL = 'gara_cache';

/** The embedded engine serves one process: events stay in it. */
export function localCacheBus(): CacheBus {
  const handlers: ((event: CacheEvent) => void)[] = [];
  return {
    publish: (event) => handlers.forEach((h) => h(event)),
    subscribe: (handler) => void handlers.push(handler),
    close: async () => undefined,
  };
}

/**
 * PostgreSQL LISTEN/NOTIFY between the processes sharing a database. Each process listens on a
 * connection of its own (outside the pool), opened again after any error with a growing pause (a
 * failover cuts it); after a reconnection it drops all its caches, since events sent meanwhile were
 * missed. Publishing is a `pg_notify` through the pool after the change has committed; if it cannot be
 * sent, the caches' own short TTLs still bound how stale an answer can be.
 */
export function postgresCacheBus(options: {
  url: string;
  db: Database;
  /** Tests isolate themselves in schemas of one database: one channel per schema. */
  schema?: string | undefined;
  connectTimeoutMs?: number;
  onError?: (error: unknown, what: string) => void;
}): CacheBus & { readonly listening: boolean } {
  const origin = randomUUID();
  const channel = options.schema ? `${CHANNEL}_${options.schema}`.slice(0, 63) : CHANNEL;
  const handlers: ((event: CacheEvent) => void)[] = [];
  const dispatch = (event: CacheEvent) => handlers.forEach((h) => h(event));
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let pause = 100;
  let timer: NodeJS.Timeout | undefined;
  let everConnected = false;

  const reconnect = () => {
    listening = false;
    const old = client;
    client = undefined;
    old?.removeAllListeners();
    old?.on('error', () => undefined);
    void old?.end().catch(() => undefined);
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void listen();
    }, pause);
    timer.unref();
    pause = Math.min(pause * 2, 2000);
  };

  async function listen(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
      application_name: 'gara-cache-listener',
      keepAlive: true,
    });
    client = c;
    c.on('error', (error) => {
      options.onError?.(error, 'cache listener connection lost');
      if (client === c) reconnect();
    });
    c.on('end', () => {
      if (client === c) reconnect();
    });
    c.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      try {
        const { o, e } = JSON.parse(message.payload) as { o: string; e: CacheEvent };
        if (o !== origin) dispatch(e);
      } catch (error) {
        options.onError?.(error, 'unreadable cache event');
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
      if (client !== c) return;
      listening = true;
      pause = 100;
      // Events sent while this process was not listening are lost: start again from empty caches.
      if (everConnected) dispatch({ kind: 'all' });
      everConnected = true;
    } catch (error) {
      options.onError?.(error, 'cache listener could not connect');
      if (client === c) reconnect();
    }
  }
  void listen();

  return {
    get listening() {
      return listening;
    },
    publish(event) {
      dispatch(event);
      const payload = JSON.stringify({ o: origin, e: event });
      void sql`SELECT pg_notify(${channel}, ${payload})`
        .execute(options.db)
        .catch((error: unknown) => options.onError?.(error, 'cache event not sent'));
    },
    subscribe: (handler) => void handlers.push(handler),
    close: async () => {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      listening = false;
      c?.removeAllListeners();
      c?.on('error', () => undefined);
      await c?.end().catch(() => undefined);
    },
  };
}
