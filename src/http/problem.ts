import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../domain/shared/errors.js';

/** The one code -> HTTP status table. Exhaustive: a new ErrorCode does not compile until mapped. */
export const statusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  rule_violation: 422,
  idempotency_key_reused: 422,
  payload_too_large: 413,
  rate_limited: 429,
  service_unavailable: 503,
  internal: 500,
};

const titles: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  conflict: 'Conflict',
  invalid_state: 'Not allowed in the current state',
  rule_violation: 'The request breaks a rule',
  idempotency_key_reused: 'Idempotency-Key reused with a different request',
  payload_too_large: 'The request is too large',
  rate_limited: 'Too many requests',
  service_unavailable: 'Service temporarily unavailable',
  internal: 'Internal error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  reason?: string | undefined;
  field?: string | undefined;
  instance: string;
  requestId: string;
}

export const PROBLEM_TYPE_BASE = 'https://gara.example/problems/';

export function problemOf(
  code: ErrorCode,
  detail: string,
  request: FastifyRequest,
  extra: { field?: string | undefined; reason?: string | undefined } = {},
): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: titles[code],
    status: statusOf[code],
    detail,
    code,
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(extra.field ? { field: extra.field } : {}),
    instance: request.url,
    requestId: String(request.id),
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

/** `/lots/0/amount` -> `lots[0].amount` */
function fieldOf(instancePath: string, missing?: unknown): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (typeof missing === 'string') parts.push(missing);
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Node's codes for a service this one calls that cannot be reached (an identity provider, ...). */
const NET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'EAI_AGAIN',
]);

/**
 * Something this request needs is not reachable: the database (adapters/db reports it as a
 * `service_unavailable` DomainError) or another service (Node's network error codes). Answered 503.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof DomainError) return error.code === 'service_unavailable';
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && NET_UNAVAILABLE.has(code);
}

/** Maps anything thrown in a request to problem+json; only unexpected errors are 500 and logged with stack. */
export function errorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof DomainError) {
    if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
    else if (error.code === 'service_unavailable' && !reply.getHeader('retry-after'))
      reply.header('retry-after', '5');
    // One with a cause (a database refusal, an unreachable database) is worth a line in the log.
    if (error.cause !== undefined && error.code !== 'rule_violation')
      request.log.warn({ err: error }, 'refused: the database or a service it needs');
    return sendProblem(
      reply,
      problemOf(error.code, error.detail, request, { field: error.field, reason: error.reason }),
    );
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const location = fastifyError.validationContext ?? 'body';
    const field = first ? fieldOf(first.instancePath, first.params?.missingProperty) : undefined;
    const additional =
      first?.keyword === 'additionalProperties' ? String(first.params?.additionalProperty) : undefined;
    const named = additional ? fieldOf(first?.instancePath ?? '', additional) : field;
    const detail = additional
      ? `${location}: unknown field "${named}"`
      : `${location}${named ? ` field "${named}"` : ''} ${first?.message ?? 'is not valid'}`;
    return sendProblem(
      reply,
      problemOf('validation_failed', detail, request, { field: named || location, reason: first?.keyword }),
    );
  }
  if (isUnavailable(error)) {
    request.log.warn({ err: error }, 'a service this request needs is not reachable');
    reply.header('Retry-After', '5');
    return sendProblem(
      reply,
      problemOf(
        'service_unavailable',
        'a service this request needs is not reachable; retry shortly',
        request,
      ),
    );
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 401
        ? 'unauthorized'
        : status === 403
          ? 'forbidden'
          : status === 404
            ? 'not_found'
            : status === 413
              ? 'payload_too_large'
              : status === 429
                ? 'rate_limited'
                : 'validation_failed';
    const problem = problemOf(code, fastifyError.message, request, { reason: fastifyError.code });
    return sendProblem(reply, { ...problem, status });
  }
  request.log.error({ err: error }, 'unexpected error');
  return sendProblem(
    reply,
    problemOf('internal', 'an unexpected error occurred; it has been logged', request),
  );
}
