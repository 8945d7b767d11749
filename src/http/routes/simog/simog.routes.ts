import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Counter } from 'prom-client';
import { Histogram } from 'prom-client';
import { DomainError } from '../../../domain/shared/errors.js';
import type { ServiceDeps } from '../../../services/context.js';
import type { SimogDeps } from '../../../services/simog/simog-session.js';
import type { StatusMonitor } from '../../../services/status/status-monitor.js';
import type { Metrics } from '../../metrics.js';
import { errorHandler } from '../../problem.js';
import { operations } from './simog.operations.js';
import { failure, NOT_SUPPORTED } from './simog.presenters.js';

/** A SIMOG request holds one tender's or lot's data: a few KB (the codec also bounds depth and counts). */
const BODY_LIMIT = 256 * 1024;
const PATH = '/simog/SimogWSPDD';
const RETRY_AFTER_SECONDS = '5';

/**
 * The SIMOG web services (SimogWSPDD.wsdl, SOAP 1.1 document/literal): POST /simog/SimogWSPDD, and
 * GET /simog/SimogWSPDD?wsdl (or ?xsd=GaraWS.xsd, ...). Every operation answers HTTP 200 with its
 * response type (`success`, `error`); a SOAP fault only for a malformed envelope (HTTP 500, soap:Client)
 * and while the database does not answer (HTTP 503 + Retry-After, soap:Server).
 */
export const simogRoutes: FastifyPluginAsync<{
  deps: ServiceDeps;
  metrics: Metrics;
  monitor: StatusMonitor;
  publicUrl: () => string;
  /** As the API's: a call unanswered after this long asks whether the database answers (0 = off). */
  databaseDeadlineMs?: number;
}> = async (app, { deps, metrics, monitor, publicUrl, databaseDeadlineMs = 0 }) => {
  const wiring = deps.simogInterface;
  if (!wiring) return;
  const { codec } = wiring;
  const simogDeps: SimogDeps = { ...deps, simog: wiring.uow, sessions: wiring.sessions };
  const duration =
    (metrics.registry.getSingleMetric('gara_simog_operation_duration_seconds') as Histogram<
      'operation' | 'outcome'
    >) ??
    new Histogram({
      name: 'gara_simog_operation_duration_seconds',
      help: 'SIMOG SOAP operations by operation and outcome (ok, refused, fault)',
      labelNames: ['operation', 'outcome'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [metrics.registry],
    });
  const codesIssued = metrics.codesIssued as Counter<'family'>;

  // The API's rate limit (RATE_LIMIT_MAX per window), per user (per address for login, loginRPNT
  // and a ticket that is not valid): the ticket is in the body, so it is counted once the envelope is read.
  const limitKeys = new WeakMap<object, string>();
  const limiter = app.createRateLimit({
    keyGenerator: (request) => limitKeys.get(request) ?? `simog-ip:${request.ip}`,
    allowList: () => false,
  });

  const xml = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/xml; charset=utf-8').send(body);
  const unavailable = (reply: FastifyReply) => {
    reply.header('retry-after', RETRY_AFTER_SECONDS);
    return xml(
      reply,
      503,
      codec.fault('Server', 'servizio temporaneamente non disponibile (database): riprovare'),
    );
  };

  // What the app refuses before the operation runs (a body over the limit, U+0000 or a lone surrogate
  // in it) is answered in this service's envelope too: a SOAP client reads a fault, not problem+json.
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const status =
      error instanceof DomainError
        ? error.code === 'validation_failed'
          ? 400
          : undefined
        : (error as FastifyError).statusCode;
    if (status === undefined || status < 400 || status >= 500) return errorHandler(error, request, reply);
    const message = error instanceof DomainError ? (error.detail ?? error.message) : error.message;
    return xml(reply, status, codec.fault('Client', message));
  });

  const deadlines = new WeakMap<object, NodeJS.Timeout>();
  const answerWhenDatabaseStops = (reply: FastifyReply): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      if (reply.sent) return;
      void monitor.confirmDatabase(300).then((alive) => {
        if (alive || reply.sent || reply.raw.destroyed) return;
        duration.observe({ operation: 'unknown', outcome: 'fault' }, databaseDeadlineMs / 1000);
        unavailable(reply);
        reply.hijack();
      });
    }, databaseDeadlineMs);
    timer.unref();
    return timer;
  };

  app.get(PATH, { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    if (typeof query.xsd === 'string') {
      const xsd = codec.xsd(query.xsd);
      if (xsd === undefined)
        return xml(reply, 404, codec.fault('Client', `nessun XSD ${query.xsd.slice(0, 40)}`));
      return xml(reply, 200, xsd);
    }
    const base = publicUrl() || `${request.protocol}://${request.host}`;
    return xml(reply, 200, codec.wsdl(`${base.replace(/\/+$/, '')}${PATH}`));
  });

  app.post(
    PATH,
    {
      schema: { hide: true },
      bodyLimit: BODY_LIMIT,
      onRequest: async (request, reply) => {
        if (!monitor.databaseUp) return unavailable(reply);
        // The API's deadline, in this service's envelope: a call still unanswered after
        // databaseDeadlineMs asks the monitor whether the database answers at all; if not, the 503
        // fault goes now (what the operation answers later is dropped; a repeated inserisciLotto gets
        // the same CIG), instead of waiting the whole outage on the rate limit or the ticket lookup.
        if (databaseDeadlineMs > 0) deadlines.set(request, answerWhenDatabaseStops(reply));
      },
      onResponse: async (request) => clearTimeout(deadlines.get(request)),
    },
    async (request, reply) => {
      const started = performance.now();
      const body = typeof request.body === 'string' ? request.body : '';
      const parsed = codec.parse(body);
      if (!parsed.ok) {
        duration.observe({ operation: 'unknown', outcome: 'fault' }, (performance.now() - started) / 1000);
        return xml(reply, 500, codec.fault('Client', parsed.message));
      }
      const { operation } = parsed.request;
      const observe = (outcome: string) =>
        duration.observe({ operation, outcome }, (performance.now() - started) / 1000);
      const handler = operations[operation];
      if (!handler) {
        observe('refused');
        return xml(reply, 200, codec.response(operation, { success: false, error: NOT_SUPPORTED }));
      }
      // A valid ticket counts against its user; a missing, made-up or expired one against the address
      // (as an API call without a valid token): keyed by the ticket as sent, each made-up ticket (or
      // each new login) would get a fresh allowance.
      const ticket = parsed.request.field('ticket');
      const holder = ticket
        ? await simogDeps.sessions.actorOf(simogDeps, ticket, {}).catch(() => undefined)
        : undefined;
      limitKeys.set(request, holder ? `simog-user:${holder.userId}` : `simog-ip:${request.ip}`);
      const limit = await limiter(request);
      if (!limit.isAllowed && limit.isExceeded) {
        observe('refused');
        reply.header('retry-after', String(limit.ttlInSeconds));
        return xml(
          reply,
          200,
          codec.response(operation, {
            success: false,
            error: `Troppe richieste: al massimo ${limit.max} ogni ${Math.round(limit.timeWindow / 1000)} s; riprovare tra ${limit.ttlInSeconds} s`,
          }),
        );
      }
      const key = request.headers['idempotency-key'];
      try {
        const answer = await handler(
          simogDeps,
          parsed.request,
          {
            requestId: String(request.id),
            idempotencyKey: typeof key === 'string' ? key : undefined,
            onIssued: () => codesIssued.inc({ family: 'pcp' }),
          },
          codec,
        );
        observe('ok');
        return xml(reply, 200, codec.response(operation, answer));
      } catch (error) {
        if (
          error instanceof DomainError &&
          error.code !== 'service_unavailable' &&
          error.code !== 'internal'
        ) {
          observe('refused');
          return xml(reply, 200, codec.response(operation, failure(error)));
        }
        request.log.error({ err: error, operation }, 'SIMOG operation failed');
        if (!(await monitor.confirmDatabase(300))) {
          observe('fault');
          return unavailable(reply);
        }
        observe('refused');
        return xml(
          reply,
          200,
          codec.response(operation, {
            success: false,
            error: `Errore interno: riprovare più tardi (richiesta ${String(request.id)})`,
          }),
        );
      }
    },
  );
};
