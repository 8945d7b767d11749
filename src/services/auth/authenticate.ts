import { DomainError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/shared/clock.js';
import type { Store } from '../ports.js';
import { hashToken } from '../registry/token-hash.js';
import { type UserActor, actorFromUser } from '../../domain/registry/actor.js';

/**
 * Resolves bearer tokens to actors. Hits are cached for a short time so that a request costs no
 * token query; a revoked token stops working within `ttlMs`, an expiring one at its `expiresAt` (the
 * cached entry never outlives the token).
 */
export class TokenAuthenticator {
  readonly #cache = new Map<
    string,
    { actor: Omit<UserActor, 'requestId'>; until: number; expiresAtMs: number | null }
  >();
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(deps: { store: Store; clock: Clock }, options: { ttlMs?: number; maxEntries?: number } = {}) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  async authenticate(token: string, requestId?: string): Promise<UserActor> {
    // Keyed by the token itself: a hit costs no hashing. The map lives in this process's memory only,
    // where the token already is (it arrived in the request).
    const nowMs = Date.now();
    const cached = this.#cache.get(token);
    if (
      cached &&
      cached.until > nowMs &&
      (cached.expiresAtMs === null || cached.expiresAtMs > this.#clock.now().getTime())
    )
      return { ...cached.actor, requestId };
    const hash = hashToken(token);
    const user = await this.#store.tokens.findUserByToken(hash, this.#clock.now());
    if (!user) {
      this.#cache.delete(token);
      throw new DomainError('unauthorized', 'the bearer token is unknown, revoked or expired');
    }
    const actor = actorFromUser(user);
    if (this.#cache.size >= this.#maxEntries) this.#cache.clear();
    this.#cache.set(token, {
      actor,
      until: nowMs + this.#ttlMs,
      expiresAtMs: user.tokenExpiresAt?.getTime() ?? null,
    });
    return { ...actor, requestId };
  }

  /** Set by the app when several processes share the database: tells them to forget theirs too. */
  onClear: (() => void) | undefined;

  /** Forget cached tokens (after revocations in this process), in every process. */
  clear(): void {
    this.forget();
    this.onClear?.();
  }

  /** Forget cached tokens in this process only (another process revoked one). */
  forget(): void {
    this.#cache.clear();
  }
}
