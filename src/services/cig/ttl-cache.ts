/**
 * A small time-bounded cache for public, read-mostly answers (CIG lookups): an entry is served for at
 * most `ttlMs` after it was read from the database, so an answer is never staler than that. ttlMs = 0
 * disables it. Concurrent misses of one key share one load; a load under way when its key is dropped
 * (`delete`, `clear`) still answers its callers but is not kept, and later calls load afresh. A key still
 * asked for in the last quarter of its TTL is reloaded in the background (its current value is served
 * meanwhile, never past its own TTL), so that a code in steady demand does not make its callers wait on
 * the database each time its entry ends.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #loading = new Map<string, Promise<V>>();
  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return load();
    const hit = this.#entries.get(key);
    const now = this.now();
    if (hit && hit.until > now) {
      if (hit.until - now <= this.ttlMs / 4 && !this.#loading.has(key))
        // A failure is not kept: the entry ends at its TTL and the next call loads (and fails) itself.
        this.#load(key, load).catch(() => undefined);
      return hit.value;
    }
    return this.#loading.get(key) ?? this.#load(key, load);
  }

  #load(key: string, load: () => Promise<V>): Promise<V> {
    const started = this.now();
    const loading = load().then(
      (value) => {
        if (this.#loading.get(key) === loading) {
          this.#loading.delete(key);
          if (this.#entries.size >= this.maxEntries) this.#entries.clear();
          this.#entries.set(key, { value, until: started + this.ttlMs });
        }
        return value;
      },
      (error: unknown) => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
        throw error;
      },
    );
    this.#loading.set(key, loading);
    return loading;
  }

  delete(key: string): void {
    this.#entries.delete(key);
    this.#loading.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#loading.clear();
  }
}
