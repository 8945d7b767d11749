import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../domain/shared/errors.js';
import { isPgError } from '../adapters/db/database.js';

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

const DB_UNAVAILABLE = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300',
  // A failover: a connection that reached a node just demoted (or not yet promoted) is read-only.
  '25006',
]);
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

/** The database (or the network to it) is down: answered 503, never 500. */
export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (DB_UNAVAILABLE.has(code) || NET_UNAVAILABLE.has(code))) return true;
  const message = String((error as { message?: unknown }).message ?? '');
  // pg reports a lost server in messages only: a refused or timed-out connect, a connection cut under a
  // query, a pooled client whose connection already failed ("... is not queryable").
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|connection error and is not queryable|Query read timeout|the database system is (in recovery mode|starting up|shutting down)|cannot execute \w+ in a read-only transaction/i.test(
    message,
  );
}

/** Database rules a request can run into on its own (not a race): said in words, as a rule violation. */
const CONSTRAINT_RULES: Record<string, string> = {
  lots_number_cap: 'a tender has at most 9,000 lots',
  provisional_lots_number_cap: 'a procedure has at most 9,000 lots',
  lots_amount_cap: 'a lot amounts to at most 9,999,999,999.99 euro',
  provisional_lots_amount_cap: 'a lot amounts to at most 9,999,999,999.99 euro',
};

/** Maps anything thrown in a request to problem+json; only unexpected errors are 500 and logged with stack. */
export function errorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof DomainError) {
    if (error.code === 'service_unavailable' && !reply.getHeader('retry-after'))
      reply.header('retry-after', '5');
    return sendProblem(
      reply,
      problemOf(error.code, error.message, request, { field: error.field, reason: error.reason }),
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
    request.log.warn({ err: error }, 'database unavailable');
    reply.header('Retry-After', '5');
    return sendProblem(
      reply,
      problemOf('service_unavailable', 'the database is not reachable; retry shortly', request),
    );
  }
  const dbError: unknown = error;
  if (isPgError(dbError) && dbError.code === '40001') {
    reply.header('Retry-After', '1');
    return sendProblem(
      reply,
      problemOf('conflict', 'a concurrent change interfered; retry the request', request),
    );
  }
  const constraint = isPgError(dbError) ? dbError.constraint : undefined;
  const rule = constraint ? CONSTRAINT_RULES[constraint] : undefined;
  if (rule) return sendProblem(reply, problemOf('rule_violation', rule, request, { reason: constraint }));
  if (isPgError(dbError) && dbError.code?.startsWith('23')) {
    // A rule the database enforces caught what a concurrent request changed under the service's checks.
    request.log.warn({ err: error }, 'database constraint refused a change');
    return sendProblem(
      reply,
      problemOf('conflict', 'the change conflicts with the current data; reload and retry', request, {
        reason: dbError.constraint ?? `sqlstate_${dbError.code}`,
      }),
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
