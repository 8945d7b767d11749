import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import { Type } from 'typebox';
import { DomainError } from '../domain/shared/errors.js';
import { databaseDownPage, portalRoutes, WITHOUT_DATABASE } from './portal/portal.routes.js';
import type { OidcSignIn } from './portal/oidc.pages.js';
import type { TokenAuthenticator } from '../services/auth/authenticate.js';
import { docsCsp, securityHeaders } from './security-headers.js';
import type { ServiceDeps } from '../services/context.js';
import { errorHandler, isUnavailable, problemOf, sendProblem, statusOf } from './problem.js';
import { Metrics } from './metrics.js';
import { CERTIFICATES_BASE, renderNotFoundPage } from './status/certificate-pages.js';
import { ajvPlugins, refuseNonFiniteNumbers, refuseUnsafeText } from './input-guard.js';
import { cigRoutes } from './routes/cig/index.js';
import type { CigLookupCache } from './routes/cig/cigs.routes.js';
import { TtlCache } from '../services/cig/ttl-cache.js';
import type { CacheBus } from '../services/cache-bus.js';
import { referenceRoutes } from './routes/reference/reference.routes.js';
import { registryRoutes } from './routes/registry/index.js';
import { tenderRoutes } from './routes/tenders/index.js';
import { paymentRoutes } from './routes/payments/index.js';
import { VerificationCache } from '../services/payments/verify-contribution.js';
import type { ReceiptIntake } from '../services/payments/receive-receipts.js';
import type { ProtocolRegistrar } from '../services/notices/register-outgoing.js';
import type { SentMessageFiles } from '../services/notices/ports.js';
import { StatusMonitor } from '../services/status/status-monitor.js';
import { certificatePagesRoutes, continuityRoutes, statusRoutes } from './routes/continuity/index.js';
import { noticeFeed, noticeRoutes } from './routes/notices/index.js';
import { pagopaRoutes } from './routes/pagopa/pa-for-node.routes.js';
import type { NodeAuthPolicy } from './pagopa-node-auth.js';
import type { Store } from '../services/ports.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A public read that may be a second stale: served by the read store (AppOptions.readStore) when
     * there is one, not failed fast while the primary is down, and tried once more on a fresh
     * connection when its connection broke. Set it on the route, and give the handler the read deps.
     */
    replicaRead?: boolean;
  }
}
import { simogRoutes } from './routes/simog/simog.routes.js';
import type { OpendataServices } from '../services/opendata/ports.js';
import { opendataApiRoutes, opendataRoutes } from './routes/opendata/opendata.routes.js';

export interface AppOptions {
  deps: ServiceDeps;
  authenticator: TokenAuthenticator;
  /** Readiness: throws when the database does not answer. */
  ping: () => Promise<void>;
  engine: string;
  version: string;
  rateLimit: { max: number; windowMs: number };
  /** The status monitor (probes, status view kept in memory); one is made when absent. */
  monitor?: StatusMonitor;
  /** Base URL for links in the status page and feed. */
  publicUrl?: () => string;
  /** Write batches (receipts) in flight at once: 1 on PGlite, a share of the pool on PostgreSQL. */
  maxConcurrentBatches?: number;
  /** How long a public CIG lookup may be served from memory (0 = never). */
  lookupCacheTtlMs?: number;
  logger?: FastifyBaseLogger;
  metrics?: Metrics;
  /** The .eml files of the embedded mailer (null or absent with SMTP); built by the container. */
  sentMail?: SentMessageFiles | null;
  /** The portal's demo sign-in (pick a seeded user); off when absent. */
  demoSignIn?: boolean;
  /** Webhook subscriptions may target http:// URLs. */
  webhookLocalReceivers?: boolean;
  /** Whether a webhook's host resolves to public addresses only; default: a DNS lookup. */
  /** Built by the container (DNS resolution); absent = no webhook host is taken for public (fail closed). */
  webhookHostIsPublic?: (hostname: string) => Promise<boolean>;
  /** The portal's sign-in with an OpenID Connect provider (SPID/CIE gateway); off when absent. */
  oidc?: OidcSignIn | undefined;
  /**
   * An API request unanswered after this long checks that the database answers, and answers 503 at once
   * when it does not (0 = off). Default: 400 on PostgreSQL, off on PGlite (whose calls give up after
   * DB_STATEMENT_TIMEOUT_MS instead).
   */
  databaseDeadlineMs?: number;
  /** Who may call /pagopa/paForNode (the pagoPA node); absent = nobody. */
  pagopaNode?: NodeAuthPolicy | undefined;
  /**
   * The stateful parts the container builds (src/container.ts); when absent (tests that build the
   * app alone) they are made here with the options above.
   */
  verificationCache?: VerificationCache;
  receiptIntake?: ReceiptIntake;
  protocolRegistrar?: ProtocolRegistrar;
  /**
   * The replicas (DATABASE_READ_URL): the public reads (the routes with `config.replicaRead`: CIG
   * lookups, comunicati, incidents, provisional references, sections, code lists, the portal's public
   * pages, open data) use it, and are not failed fast while the primary is down. Absent: deps.store.
   */
  readStore?: Store | undefined;
  /** The open data reads on the replicas (the OCDS records); absent: `opendata`. */
  opendataReads?: OpendataServices | undefined;
  /**
   * Several processes: what one of them changes is dropped from every process's caches (token/actor,
   * CIG lookup, contribution verification) through this bus (PostgreSQL LISTEN/NOTIFY).
   */
  cacheBus?: CacheBus | undefined;
  /** A @fastify/rate-limit store shared by the processes (default: this process's memory). */
  rateLimitStore?: unknown;
  /** The open data files and their reads; /opendata/ is not served when absent. */
  opendata?: OpendataServices | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * Whether a request outside /api/ is for an HTML page (then the portal's 503 page) rather than a file or
 * a feed (JSON, CSV, XML...: problem+json, which a program reads): by the route's extension, then Accept.
 */
export function wantsHtml(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '/';
  if (/\.(json|csv|xml|rss|atom|zip|pdf|txt|eml|ics)$/i.test(path)) return false;
  const accept = request.headers.accept;
  return !accept || /text\/html|application\/xhtml\+xml|\*\/\*/.test(accept);
}

/** /health/ready answers 503 when the database has not answered within this long. */
const READY_DEADLINE_MS = 700;
/** Paths answered from memory or by their own protocol: no database deadline on them. */
const MEMORY_PREFIXES = [
  '/status',
  '/stato',
  '/health',
  '/metrics',
  '/docs',
  '/openapi.json',
  '/pagopa',
  '/simog',
];

/** How long a request's check that the database answers may take (see answerWhenDatabaseStops). */
const DATABASE_CONFIRM_MS = 300;
const DATABASE_DOWN = 'the database does not answer: retry shortly; see /stato';
/**
 * A replica read whose connection broke (HAProxy restarted, the replica killed) is tried once more
 * after this pause, on a fresh connection (the pool drops a broken one), before answering 503.
 */
const REPLICA_RETRY_PAUSE_MS = 500;

function databaseDown(reply: FastifyReply): DomainError {
  reply.header('retry-after', '5');
  return new DomainError('service_unavailable', DATABASE_DOWN, { reason: 'database_down' });
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { deps, authenticator } = options;
  const metrics = options.metrics ?? new Metrics();
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, allErrors: false }, plugins: ajvPlugins },
    // A path Fastify cannot route (bad percent-encoding, a parameter over 100 characters): problem+json too.
    frameworkErrors: (error, request, reply) => {
      // A certificate URL is read by people: whatever its id, an Italian "not found" page.
      if (request.url.startsWith(`${CERTIFICATES_BASE}/`)) {
        void (reply as FastifyReply)
          .code(statusOf.not_found)
          .type('text/html; charset=utf-8')
          .send(renderNotFoundPage(request.url.slice(CERTIFICATES_BASE.length + 1).split('?')[0] ?? ''));
        return;
      }
      void sendProblem(
        reply,
        problemOf(
          'validation_failed',
          error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'a path parameter is longer than 100 characters'
            : 'the path is not valid percent-encoded UTF-8',
          request,
          { field: 'path', reason: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'path_too_long' : 'bad_url' },
        ),
      );
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (options.readStore) app.addHook('onRoute', retryReplicaRead);

  const verificationCache = options.verificationCache ?? new VerificationCache(options.lookupCacheTtlMs ?? 0);
  const lookupCache: CigLookupCache = new TtlCache(options.lookupCacheTtlMs ?? 0);
  const bus = options.cacheBus;
  bus?.subscribe((event) => {
    if (event.kind === 'tokens' || event.kind === 'all') {
      authenticator.forget();
      // SIMOG tickets die with their token and with chiudiSessione (in whichever process).
      deps.simogInterface?.sessions.forgetAll();
    }
    if (event.kind === 'lookup' && event.cig) {
      lookupCache.delete(event.cig);
      verificationCache.lots.delete(event.cig);
    }
    if ((event.kind === 'lookup' && !event.cig) || event.kind === 'all') {
      lookupCache.clear();
      verificationCache.clear();
    }
    if (event.kind === 'verification') verificationCache.paymentApplied(event.cig, event.fiscalCode);
  });
  if (bus) authenticator.onClear = () => bus.publish({ kind: 'tokens' });
  if (bus && deps.simogInterface)
    deps.simogInterface.sessions.onForget = () => bus.publish({ kind: 'tokens' });
  const monitor = options.monitor ?? new StatusMonitor(deps, { ping: options.ping });
  // Raw e-mail messages (certified e-mail receipts) arrive as bytes. Body limits: 1 MB unless the route
  // sets its own (PEC receipts, reporting flows, the SOAP service: see xml-limits.ts); a larger body is
  // refused with 413 before it is buffered.
  app.addContentTypeParser('message/rfc822', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  app.decorateRequest('actor', undefined);
  app.decorateRequest('authFailure', undefined);
  // XML bodies (the pagoPA SOAP service, reporting flows) arrive as text.
  app.addContentTypeParser(
    ['text/xml', 'application/xml', 'application/soap+xml'],
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, body);
    },
  );
  app.setErrorHandler(errorHandler);
  // No U+0000 nor lone surrogate anywhere in a body, query string or path (API and portal forms alike).
  app.addHook('preValidation', refuseUnsafeText);
  app.addHook('preHandler', refuseNonFiniteNumbers);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problemOf('not_found', `no route ${request.method} ${request.url.split('?')[0]}`, request),
    ),
  );

  const deadlineMs = options.databaseDeadlineMs ?? (options.engine === 'postgres' ? 400 : 0);
  const deadlines = new WeakMap<object, NodeJS.Timeout>();
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const path = request.url.split('?')[0] ?? '/';
    const fromMemory =
      path.startsWith('/api/v1/status') ||
      // Served by the replicas: they answer while the primary is down or being replaced.
      !!(options.readStore && request.routeOptions.config.replicaRead);
    const api = path.startsWith('/api/v1/') && !fromMemory;
    // Portal pages that read the database (the SOAP endpoints answer in their own envelopes).
    const page =
      !fromMemory &&
      !path.startsWith('/api/') &&
      // (the downtime certificates live under /stato but are read from the database)
      (path.startsWith('/stato/attestazioni/') ||
        !MEMORY_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) &&
      !path.startsWith('/assets/') &&
      !WITHOUT_DATABASE.has(path);
    // While the database does not answer, API calls fail at once (503) instead of waiting on it, before
    // anything (the token lookup included) asks it; the status endpoints keep answering from memory.
    if (api && !monitor.databaseUp) throw databaseDown(reply);
    if ((api || page) && deadlineMs > 0)
      deadlines.set(request, answerWhenDatabaseStops(request, reply, deadlineMs, page ? 'page' : 'api'));
    const header = request.headers.authorization;
    // Bearer tokens are the API's (the portal has its sessions, the SOAP services their own credentials):
    // elsewhere the header is not looked up, so it cannot make a page wait on the database.
    if (header !== undefined && path.startsWith('/api/')) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1])
        throw new DomainError('unauthorized', 'the Authorization header must be "Bearer <token>"');
      try {
        request.actor = await authenticator.authenticate(match[1], String(request.id));
      } catch (error) {
        // Answered 401 after the rate limit has counted the call, keyed by address as an anonymous
        // call: random tokens get no bucket of their own.
        if (!(error instanceof DomainError) || error.code !== 'unauthorized') throw error;
        request.authFailure = error;
      }
    }
  });

  securityHeaders(app);

  /**
   * A request still unanswered after `ms` asks the monitor whether the database answers at all (one
   * shared ping); if not, it answers 503 now (the work in flight finishes or fails in the background:
   * a retry with the same Idempotency-Key gets its result) and the database is marked down.
   */
  function answerWhenDatabaseStops(
    request: FastifyRequest,
    reply: FastifyReply,
    ms: number,
    kind: 'api' | 'page',
  ): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (reply.sent) return;
      void monitor.confirmDatabase(DATABASE_CONFIRM_MS).then((alive) => {
        if (alive || reply.sent || reply.raw.destroyed) return;
        reply.header('retry-after', '5');
        if (kind === 'page' && wantsHtml(request))
          reply.code(statusOf.service_unavailable).type('text/html; charset=utf-8').send(databaseDownPage());
        else
          sendProblem(
            reply,
            problemOf('service_unavailable', DATABASE_DOWN, request, { reason: 'database_down' }),
          );
        reply.hijack(); // what the handler answers later is dropped
      });
    }, ms);
    timer.unref();
    return timer;
  }

  app.addHook('onResponse', async (request, reply) => {
    clearTimeout(deadlines.get(request));
    if (bus && reply.statusCode < 400 && request.method !== 'GET' && request.method !== 'HEAD')
      publishChange(bus, request);
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(rateLimit, {
    global: true,
    max: options.rateLimit.max,
    timeWindow: options.rateLimit.windowMs,
    keyGenerator: (request) => (request.actor ? `user:${request.actor.userId}` : `ip:${request.ip}`),
    // The API, and the open data (every catalogue request reads the folder): anonymous callers by address.
    allowList: (request) => !request.url.startsWith('/api/') && !request.url.startsWith('/opendata'),
    ...(options.rateLimitStore ? { store: options.rateLimitStore as never } : {}),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'FST_RATE_LIMITED',
      message: `rate limit of ${context.max} requests per ${context.after} exceeded; retry later`,
    }),
  });

  // After the rate limit's own (route-level) onRequest hook: calls without a valid token count too.
  app.addHook('preParsing', async (request) => {
    if (request.authFailure) throw request.authFailure;
    const auth = request.routeOptions.config.auth;
    if (auth !== 'public' && request.routeOptions.url?.startsWith('/api/') && !request.actor) {
      throw new DomainError('unauthorized', 'send a bearer token: Authorization: Bearer <token>');
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'gara API',
        version: options.version,
        description:
          'Tender codes (CIG, SmartCIG) and the registry of contracting authorities. Errors are RFC 9457 problem+json; ' +
          'creating POSTs accept an Idempotency-Key header.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: docsCsp });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/health/live',
    {
      schema: {
        tags: ['Health'],
        summary: 'The process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['Health'],
        summary: 'The database answers',
        response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }) },
      },
    },
    async () => {
      try {
        await withDeadline(options.ping(), READY_DEADLINE_MS);
      } catch (error) {
        throw new DomainError('service_unavailable', `the ${options.engine} database does not answer`, {
          cause: error,
        });
      }
      return { status: 'ok' as const, database: options.engine };
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  // The routes marked `replicaRead` get these: the same use cases, reading the replicas' store.
  const reads: ServiceDeps = options.readStore ? { ...deps, store: options.readStore } : deps;
  await app.register(
    async (api) => {
      await api.register(cigRoutes, {
        deps: reads,
        lookupCacheTtlMs: options.lookupCacheTtlMs ?? 0,
        lookupCache,
      });
      await api.register(tenderRoutes, { deps, metrics });
      await api.register(registryRoutes, { deps, reads, authenticator });
      await api.register(referenceRoutes, { deps: reads });
      await api.register(paymentRoutes, { deps, verificationCache });
      await api.register(continuityRoutes, { deps, reads, monitor });
      if (options.opendata)
        await api.register(opendataApiRoutes, { deps: { ...deps, opendata: options.opendata } });
      await api.register(noticeRoutes, {
        deps,
        reads,
        linkBase: options.publicUrl ?? (() => ''),
        sentMail: options.sentMail ?? null,
        webhookLocalReceivers: options.webhookLocalReceivers ?? false,
        webhookHostIsPublic: options.webhookHostIsPublic ?? (async () => false),
        registrar: options.protocolRegistrar,
      });
    },
    { prefix: '/api/v1' },
  );
  await app.register(statusRoutes, { monitor, baseUrl: options.publicUrl ?? (() => '') });
  await app.register(certificatePagesRoutes, { deps, reads });
  await app.register(noticeFeed, { deps: reads, baseUrl: options.publicUrl ?? (() => '') });
  if (options.opendata)
    await app.register(opendataRoutes, {
      deps: { ...reads, opendata: options.opendataReads ?? options.opendata },
    });
  await app.register(portalRoutes, {
    deps,
    reads,
    readStoreSet: !!options.readStore,
    demoSignIn: options.demoSignIn ?? false,
    oidc: options.oidc,
    publicUrl: options.publicUrl ?? (() => ''),
    databaseUp: () => monitor.databaseUp,
    refreshStatus: () => monitor.refresh(),
    forgetTokens: () => authenticator.clear(),
  });
  await app.register(pagopaRoutes, {
    deps,
    nodeAuth: options.pagopaNode,
    maxConcurrentBatches: options.maxConcurrentBatches ?? 1,
    intake: options.receiptIntake,
    onReceiptApplied: (position) =>
      bus && position.cig
        ? bus.publish({ kind: 'verification', cig: position.cig, fiscalCode: position.debtorFiscalCode })
        : verificationCache.paymentApplied(position.cig, position.debtorFiscalCode),
  });
  await app.register(simogRoutes, {
    deps,
    metrics,
    monitor,
    publicUrl: options.publicUrl ?? (() => ''),
    databaseDeadlineMs: deadlineMs,
  });

  return app;
}

/**
 * After a change that answered 2xx/3xx: which public lookups it may have changed. A lot's own routes
 * name it; a tender's routes, the incidents (they mark the codes issued during them), a regularisation
 * and the portal's forms may change several, so every lookup is dropped. Creations change none (a
 * lookup of a code not yet issued is not cached).
 */
/**
 * A replica read (`config.replicaRead`) that failed because its connection broke or could not be made
 * is run once more, after a short pause, on a fresh connection; then its error is answered (503).
 * Only reads carry the mark: nothing that writes is ever run twice.
 */
function retryReplicaRead(route: RouteOptions): void {
  if (!route.config?.replicaRead) return;
  const handler = route.handler;
  route.handler = async function (this: FastifyInstance, request, reply) {
    try {
      return await handler.call(this, request, reply);
    } catch (error) {
      if (!isUnavailable(error) || reply.sent) throw error;
      request.log.warn({ err: error }, 'replica read failed on a broken connection: trying once more');
      await new Promise((resolve) => setTimeout(resolve, REPLICA_RETRY_PAUSE_MS));
      return await handler.call(this, request, reply);
    }
  };
}

function publishChange(bus: CacheBus, request: FastifyRequest): void {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const route = request.routeOptions.url ?? '';
  // Creating a tender or a lot changes no lookup anyone could have cached (an unknown code is not
  // cached): no notification, which would cost a NOTIFY per issuance and empty every process's cache.
  if (
    request.method === 'POST' &&
    (route === '/api/v1/tenders' || route === '/api/v1/tenders/:tenderNumber/lots')
  )
    return;
  if (typeof params.cig === 'string') bus.publish({ kind: 'lookup', cig: params.cig.toUpperCase() });
  else if (
    typeof params.tenderNumber === 'string' ||
    route.startsWith('/api/v1/incidents') ||
    route.endsWith('/regularisation') ||
    route.startsWith('/area-personale/')
  )
    bus.publish({ kind: 'lookup' });
}
