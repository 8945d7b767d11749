import { createHash } from 'node:crypto';
import { DomainError, invalidField } from '../domain/shared/errors.js';
import type { ServiceDeps } from './context.js';
import type { Store } from './ports.js';
import type { UserActor } from '../domain/registry/actor.js';

export interface IdempotentRequest {
  key: string;
  /** What identifies the request: method, route, parameters and body. */
  fingerprint: unknown;
}

export interface IdempotentResult<T> {
  statusCode: number;
  body: T;
  replayed: boolean;
}

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Stable JSON: object keys sorted, so that the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The SHA-256 of a request's fingerprint (canonical JSON), stored with its key. */
export const requestHash = (fingerprint: unknown): string =>
  createHash('sha256').update(canonical(fingerprint)).digest('hex');

export function checkIdempotencyKey(key: string): void {
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw invalidField('Idempotency-Key', 'Idempotency-Key must be 1-255 visible ASCII characters');
  }
}

/**
 * What a request whose key was claimed before gets: the stored answer if it is the same request;
 * refused while the first is still in progress, or when the key was used for another request.
 */
export function replayOf<T>(
  previous: Awaited<ReturnType<Store['idempotency']['find']>>,
  hash: string,
): IdempotentResult<T> {
  if (!previous || previous.statusCode === null) {
    throw new DomainError('conflict', 'a request with this Idempotency-Key is still in progress', {
      field: 'Idempotency-Key',
      reason: 'idempotency_in_progress',
    });
  }
  if (previous.requestSha256 !== hash) {
    throw new DomainError(
      'idempotency_key_reused',
      'this Idempotency-Key was used for a different request; use a new key for a new request',
      { field: 'Idempotency-Key' },
    );
  }
  return { statusCode: previous.statusCode, body: previous.response as T, replayed: true };
}

/**
 * Runs a creating operation at most once per (user, key): the key is claimed in the operation's own
 * transaction, so a crash either keeps both or neither. A retry gets the stored response; the same
 * key with a different request is refused.
 */
export async function runIdempotent<T>(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  actor: UserActor,
  request: IdempotentRequest,
  operation: (store: Store) => Promise<{ statusCode: number; body: T }>,
): Promise<IdempotentResult<T>> {
  checkIdempotencyKey(request.key);
  const hash = requestHash(request.fingerprint);
  return deps.store.transaction(async (store) => {
    const claimed = await store.idempotency.claim(actor.userId, request.key, hash, deps.clock.now());
    if (!claimed) return replayOf<T>(await store.idempotency.find(actor.userId, request.key), hash);
    const result = await operation(store);
    await store.idempotency.complete(actor.userId, request.key, result.statusCode, result.body);
    return { ...result, replayed: false };
  });
}

/**
 * Runs a creating operation: with an Idempotency-Key, at most once per (user, key) (runIdempotent);
 * without one, directly on the store.
 */
export async function runCreating<T>(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  actor: UserActor,
  request: IdempotentRequest | undefined,
  operation: (store: Store) => Promise<{ statusCode: number; body: T }>,
): Promise<IdempotentResult<T>> {
  if (request === undefined) return { ...(await operation(deps.store)), replayed: false };
  return runIdempotent(deps, actor, request, operation);
}
