import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/shared/errors.js';
import type { Actor, ServiceDeps, UserActor } from '../services/context.js';
import { runCreating, type IdempotentRequest, type IdempotentResult } from '../services/idempotency.js';
import type { Store } from '../services/ports.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: UserActor | undefined;
    /** A bearer token that did not authenticate: answered 401 after the rate limit has counted it. */
    authFailure: DomainError | undefined;
  }
  interface FastifyContextConfig {
    /** 'public': no token needed (a token, if sent, is still checked). Default: a token is required. */
    auth?: 'public' | 'user';
  }
}

export function actorOf(request: FastifyRequest): UserActor {
  if (!request.actor)
    throw new DomainError('unauthorized', 'send a bearer token: Authorization: Bearer <token>');
  return request.actor;
}

/**
 * The deps of a public read served by the replicas (`config.replicaRead`): an anonymous caller reads
 * them; a signed-in one may be reading what it has just written, so it reads the primary.
 */
export const readsFor = (request: FastifyRequest, deps: ServiceDeps, reads: ServiceDeps): ServiceDeps =>
  request.actor ? deps : reads;

/** The actor if signed in, else an anonymous public actor (no role: sees only public data). */
export const optionalActor = (request: FastifyRequest): Actor | undefined => request.actor;

export interface SendCreatedOptions {
  /** 201 unless said otherwise. */
  statusCode?: number;
  /**
   * Runs after the operation's transaction has ended, before the answer is sent (e.g. rebuilding the
   * status view). Work on the whole database belongs here, not in `operation`: there it would run inside
   * the idempotency transaction, and on PGlite (one session) wait for that transaction forever.
   */
  afterCommit?: () => Promise<void>;
}

/** The request's Idempotency-Key (when sent) with what identifies the request: method, route, parameters, body. */
export function idempotentRequestOf(request: FastifyRequest): IdempotentRequest | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string'
    ? {
        key,
        fingerprint: {
          method: request.method,
          route: request.routeOptions.url,
          params: request.params,
          body: request.body ?? null,
        },
      }
    : undefined;
}

/** Sends an idempotent operation's answer: a replay with `Idempotent-Replayed: true`. */
export function sendResult<T>(reply: FastifyReply, result: IdempotentResult<T>): FastifyReply {
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(result.statusCode).send(result.body);
}

/**
 * Runs a creating operation honouring the Idempotency-Key header (when sent): a retry gets the first
 * response with `Idempotent-Replayed: true`. `operation` must use the store it is handed.
 */
export async function sendCreated<T>(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  request: FastifyRequest,
  reply: FastifyReply,
  operation: (store: Store) => Promise<T>,
  options: SendCreatedOptions = {},
): Promise<FastifyReply> {
  const statusCode = options.statusCode ?? 201;
  const result = await runCreating(deps, actorOf(request), idempotentRequestOf(request), async (store) => ({
    statusCode,
    body: await operation(store),
  }));
  await options.afterCommit?.();
  return sendResult(reply, result);
}
