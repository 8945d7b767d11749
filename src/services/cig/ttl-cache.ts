/**
 * A small time-bounded cache for public, read-mostly answers (CIG lookups): an entry is served for at
 * most `ttlMs` after it was read from the database, so an answer is never staler than that. ttlMs = 0
 * disables it.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return load();
    const hit = this.#entries.get(key);
    const now = this.now();
    if (hit && hit.until > now) return hit.value;
    const value = await load();
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(key, { value, until: now + this.ttlMs });
    return value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
