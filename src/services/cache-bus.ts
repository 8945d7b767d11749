/** The port through which several processes drop each other's caches (adapters/db/cache-bus.ts). */

/** What changed, so that every process drops what it cached of it. */
export type CacheEvent =
  /** A token revoked or a user deactivated: the token/actor caches. */
  | { kind: 'tokens' }
  /** A CIG's public lookup changed (absent cig: any of them). */
  | { kind: 'lookup'; cig?: string | undefined }
  /** A receipt was applied: the contribution verification of a CIG for a debtor. */
  | { kind: 'verification'; cig: string; fiscalCode: string }
  /** The listener reconnected and may have missed events: drop everything. */
  | { kind: 'all' };

export interface CacheBus {
  /** Applies the event in this process at once and tells the other processes. */
  publish(event: CacheEvent): void;
  subscribe(handler: (event: CacheEvent) => void): void;
  close(): Promise<void>;
}
