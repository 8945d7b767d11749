import { createHash, randomUUID } from 'node:crypto';
import type { OfflineQueue } from './offline-queue.js';

/**
 * TypeScript client of the gara API (exported by the package). Errors come back as GaraApiError
 * carrying the problem+json body. `create` sends creating requests with an Idempotency-Key and, given
 * an OfflineQueue, queues them locally while the service is unavailable (see offline-queue.ts).
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  reason?: string;
  field?: string;
  requestId?: string;
}

export class GaraApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
    /** From the Retry-After header (503, 429), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'GaraApiError';
  }
}

export class GaraUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    cause: unknown,
  ) {
    super(`the gara service at ${baseUrl} is unreachable`, { cause });
    this.name = 'GaraUnreachableError';
  }
}

export interface PaymentPositionView {
  noticeNumber: string;
  noticeNumberPrinted: string;
  iuv: string;
  state: 'open' | 'paid' | 'cancelled';
  cig: string | null;
  subject: string;
  amount: string;
  dueDate: string;
  paidAt: string | null;
  receiptId: string | null;
}

export interface ClientOptions {
  baseUrl: string;
  token?: string | undefined;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * Where `create` queues creating requests while the service is unavailable (unreachable, timeout,
   * 502/503/504). Without it `create` throws in that case.
   */
  queue?: OfflineQueue | undefined;
  /** Prefix of the idempotency keys `create` generates. Default `gara-`. */
  keyPrefix?: string;
}

export interface CreateOptions {
  /** Default: `<keyPrefix><random UUID>`. Reuse the same key to retry the same request. */
  idempotencyKey?: string;
}

/** What `create` did: the service answered, or the request was queued locally with its key. */
export type CreateOutcome<T> =
  | { status: 'done'; key: string; result: T; replayed: boolean }
  | { status: 'queued'; key: string; reason: string; retryAfterMs?: number };

/** What the service accepts as an Idempotency-Key: 1-255 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** A short SHA-256 fingerprint of a bearer token (to match queued entries to their user), never the token. */
export function tokenFingerprint(token: string | undefined): string | null {
  return token ? createHash('sha256').update(token).digest('hex').slice(0, 16) : null;
}

/** The service cannot be used now and a later retry may succeed: unreachable, timeout, 502, 503, 504. */
export function isServiceUnavailable(error: unknown): boolean {
  return (
    error instanceof GaraUnreachableError ||
    (error instanceof GaraApiError && [502, 503, 504].includes(error.status))
  );
}

/** `the gara service at URL is unreachable: fetch failed: connect ECONNREFUSED 127.0.0.1:3000`. */
export function unreachableMessage(error: GaraUnreachableError): string {
  const causes: string[] = [];
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 4; depth += 1) {
    causes.push(cause.message);
    cause = cause.cause;
  }
  return [error.message, ...causes].join(': ');
}

/** Retry-After: delta-seconds or an HTTP date, in milliseconds from now. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class GaraClient {
  readonly #baseUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #queue: OfflineQueue | undefined;
  readonly #keyPrefix: string;
  /** Short SHA-256 fingerprint of the token (null without one): matches queued entries to this user. */
  readonly tokenFingerprint: string | null;

  constructor(options: ClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
    this.#queue = options.queue;
    this.#keyPrefix = options.keyPrefix ?? 'gara-';
    this.tokenFingerprint = tokenFingerprint(this.#token);
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    return (await this.#send<T>(method, path, body, headers)).result;
  }

  async #send<T>(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ result: T; response: Response }> {
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
          ...headers,
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      // Inside the try: a connection dropped while the body arrives is a lost response too.
      text = await response.text();
    } catch (error) {
      throw new GaraUnreachableError(this.#baseUrl, error);
    }
    if (!response.ok) {
      // A proxy's 502/504 page is not JSON: the status still tells what happened.
      const json = text.length > 0 ? parseJson(text) : undefined;
      const problem = json && typeof json === 'object' ? (json as Problem) : undefined;
      throw new GaraApiError(
        response.status,
        problem,
        problem?.detail ?? `HTTP ${response.status}`,
        parseRetryAfter(response.headers.get('retry-after')),
      );
    }
    const json: unknown = text.length > 0 ? JSON.parse(text) : undefined;
    return { result: json as T, response };
  }

  /**
   * Sends one creating request with the given Idempotency-Key (no queueing): a retry of a request the
   * service already processed returns its first result with `replayed: true`.
   */
  async submit<T>(
    method: string,
    path: string,
    body: unknown,
    idempotencyKey: string,
  ): Promise<{ result: T; replayed: boolean }> {
    const { result, response } = await this.#send<T>(method, path, body, {
      'idempotency-key': idempotencyKey,
    });
    return { result, replayed: response.headers.get('idempotent-replayed') === 'true' };
  }

  /**
   * A creating POST with an Idempotency-Key (generated when not given). When the service is unavailable
   * (unreachable, timeout, 502/503/504) and the client has a queue, the request is queued locally with
   * its key and `{ status: 'queued', key }` is returned: `flushQueue` submits it later with the same
   * key, so it is created once even if the service had processed it before the answer was lost. Other
   * errors (4xx: the request itself is wrong) are thrown as GaraApiError and not queued.
   */
  async create<T>(path: string, body: unknown, options: CreateOptions = {}): Promise<CreateOutcome<T>> {
    const key = options.idempotencyKey ?? `${this.#keyPrefix}${randomUUID()}`;
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new RangeError('the idempotency key must be 1-255 visible ASCII characters');
    }
    try {
      const { result, replayed } = await this.submit<T>('POST', path, body, key);
      // An earlier attempt with this key may be waiting in the queue: it is done now.
      if (this.#queue) await this.#queue.remove(key).catch(() => false);
      return { status: 'done', key, result, replayed };
    } catch (error) {
      if (!this.#queue || !isServiceUnavailable(error)) throw error;
      await this.#queue.enqueue({
        key,
        method: 'POST',
        path,
        body,
        tokenFingerprint: this.tokenFingerprint,
      });
      const retryAfterMs = error instanceof GaraApiError ? error.retryAfterMs : undefined;
      return {
        status: 'queued',
        key,
        reason: error instanceof GaraUnreachableError ? unreachableMessage(error) : (error as Error).message,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
  }

  /** Public lookup of a CIG or SmartCIG. */
  lookupCig(code: string): Promise<Record<string, unknown>> {
    return this.request('GET', `/api/v1/cigs/${encodeURIComponent(code)}`);
  }

  /** A bidder opens (or gets back) its pagoPA payment position for a lot. */
  openPaymentPosition(cig: string): Promise<PaymentPositionView> {
    return this.request('POST', `/api/v1/lots/${encodeURIComponent(cig)}/payment-positions`);
  }

  /** SANDBOX: pays a notice through the service's built-in pagoPA node and PSP. */
  payInSandbox(noticeNumber: string): Promise<{
    outcome: 'OK' | 'KO';
    receiptId: string | null;
    step: string | null;
    fault: { code: string; message: string } | null;
    position: PaymentPositionView;
  }> {
    return this.request(
      'POST',
      `/api/v1/payment-positions/${encodeURIComponent(noticeNumber)}/sandbox-payment`,
    );
  }
}
