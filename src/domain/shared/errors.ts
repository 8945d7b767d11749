/**
 * The one error type services throw. The code set is closed: the HTTP layer maps every code to a
 * status in a single exhaustive table (http/problem.ts), the CLI to an exit message.
 */
export const errorCodes = [
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'invalid_state',
  'rule_violation',
  'idempotency_key_reused',
  'payload_too_large',
  'rate_limited',
  'service_unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface DomainErrorOptions {
  /** The offending input field, as a dotted path (`lots[0].amount`). */
  field?: string;
  /** A finer, stable reason within the code (`smart_cig_amount_limit`). */
  reason?: string;
  /**
   * What a client is told when it differs from `message` (then kept for logs): errors translated from
   * the database keep its own words as the message and say `detail` to the client.
   */
  detail?: string;
  /** A retry may succeed after this many seconds (a serialization failure, an unreachable database). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly reason: string | undefined;
  readonly detail: string;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.field = options.field;
    this.reason = options.reason;
    this.detail = options.detail ?? message;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what: string): DomainError => new DomainError('not_found', `${what} not found`);

export const invalidField = (field: string, message: string, reason?: string): DomainError =>
  new DomainError('validation_failed', message, { field, ...(reason ? { reason } : {}) });
