import { sql } from 'kysely';
import type { Database } from './database.js';

type Callback = (error: Error | null, result: { current: number; ttl: number }) => void;

/**
 * A @fastify/rate-limit store shared by every gara process on one PostgreSQL: one fixed window per key
 * (token or address) in the UNLOGGED table rate_limit_windows (migration 0016), so a token gets the same
 * number of requests per window with one process or three. No new single point of failure: the
 * counters live in the database the API calls need anyway, and when it does not answer the store counts
 * in this process's memory instead (fails open to a per-process limit) rather than failing the request.
 */
export function postgresRateLimitStore(db: Database, onError?: (error: unknown) => void) {
  const local = new Map<string, { hits: number; endsAt: number }>();
  let lastSweep = 0;

  function countLocally(key: string, windowMs: number): { current: number; ttl: number } {
    const now = Date.now();
    let entry = local.get(key);
    if (!entry || entry.endsAt <= now) {
      if (local.size >= 10_000) local.clear();
      entry = { hits: 0, endsAt: now + windowMs };
      local.set(key, entry);
    }
    entry.hits += 1;
    return { current: entry.hits, ttl: entry.endsAt - now };
  }

  async function count(key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
    const { rows } = await sql<{ hits: number; ttl_ms: number }>`
      INSERT INTO rate_limit_windows AS w (key, window_ends, hits)
      VALUES (${key}, clock_timestamp() + ${windowMs} * interval '1 millisecond', 1)
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN w.window_ends <= clock_timestamp() THEN 1 ELSE w.hits + 1 END,
        window_ends = CASE WHEN w.window_ends <= clock_timestamp() THEN EXCLUDED.window_ends ELSE w.window_ends END
      RETURNING hits, (extract(epoch FROM window_ends - clock_timestamp()) * 1000)::integer AS ttl_ms`.execute(
      db,
    );
    const row = rows[0];
    if (!row) throw new Error('rate_limit_windows: no row returned');
    // Expired windows of keys not seen since (addresses that came once) are swept now and then.
    if (Date.now() - lastSweep > 60_000) {
      lastSweep = Date.now();
      void sql`DELETE FROM rate_limit_windows WHERE window_ends < clock_timestamp() - interval '1 minute'`
        .execute(db)
        .catch(() => undefined);
    }
    return { current: row.hits, ttl: Math.max(0, row.ttl_ms) };
  }

  /**
   * A count the database has not answered within this long is made locally: the rate limit must not
   * make a request wait on a frozen database (every call, /api/v1/status included, answers within 1 s).
   * After such a miss the store counts locally for COOL_OFF_MS instead of queueing more statements.
   */
  const DEADLINE_MS = 250;
  const COOL_OFF_MS = 5_000;
  let localUntil = 0;

  async function countWithin(key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
    if (Date.now() < localUntil) return countLocally(key, windowMs);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), DEADLINE_MS);
      timer.unref();
    });
    const counting = count(key, windowMs);
    try {
      const result = await Promise.race([counting, late]);
      if (result !== 'late') return result;
      counting.catch(() => undefined);
      localUntil = Date.now() + COOL_OFF_MS;
      throw new Error(`rate_limit_windows: no answer within ${DEADLINE_MS} ms`);
    } catch (error) {
      localUntil = Date.now() + COOL_OFF_MS;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  class PostgresRateLimitStore {
    /** A route with a limit of its own counts apart from the global limit (as the plugin's own stores do). */
    constructor(readonly prefix = '') {}
    incr(key: string, callback: Callback, timeWindow: number): void {
      const scoped = `${this.prefix}${key}`;
      countWithin(scoped, timeWindow).then(
        (result) => callback(null, result),
        (error: unknown) => {
          onError?.(error);
          callback(null, countLocally(scoped, timeWindow));
        },
      );
    }
    child(options: { routeInfo?: { method?: string; url?: string } }): PostgresRateLimitStore {
      return new PostgresRateLimitStore(
        `${options.routeInfo?.method ?? ''} ${options.routeInfo?.url ?? ''}|`,
      );
    }
  }
  return PostgresRateLimitStore;
}
