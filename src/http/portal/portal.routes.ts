import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { DomainError, type ErrorCode } from '../../domain/shared/errors.js';
import type { ServiceDeps, UserActor } from '../../services/context.js';
import { resolveSession } from '../../services/portal/resolve-session.js';
import { csrfMatches, csrfTokenOf } from '../../services/portal/session-token.js';
import { isUnavailable, statusOf } from '../problem.js';
import { html, messagePage, PORTAL_CSS } from './layout.js';
import type { Form } from './forms.js';
import { LOGIN_CSRF_COOKIE, portalCookies, SESSION_COOKIE } from './cookies.js';
import { homePages } from './home.pages.js';
import { cigCheckPages } from './cig-check.pages.js';
import { signInPages } from './sign-in.pages.js';
import { personalAreaPages } from './personal-area.pages.js';
import { tenderPages } from './tenders.pages.js';
import { lotPages } from './lot.pages.js';
import { contributionPages } from './contribution.pages.js';
import { relayPages } from './relay.pages.js';
import { urgentPages } from './urgent.pages.js';
import { incidentPages } from './incident.pages.js';
import { editorialPages } from './editorial.pages.js';
import { smartCigPages } from './smart-cig.pages.js';
import { registryPages } from './registry.pages.js';
import { oidcPages, type OidcSignIn } from './oidc.pages.js';
import { protocolPages } from './protocol.pages.js';
import { maintenancePages } from './maintenance.pages.js';
import { outageDeadlinePages } from './outage-deadlines.pages.js';
import { subscriptionPages } from './subscription.pages.js';
import { noticePages } from './notices.pages.js';

/**
 * The web portal (Italian, server-rendered, Bootstrap Italia). It calls the same services as the API:
 * no rule lives here. Sessions are http-only cookies (Secure unless the service is reached over plain
 * HTTP on a non-loopback host); every form that changes something carries a CSRF token.
 */

export interface PortalOptions {
  deps: ServiceDeps;
  /** The public pages' deps (`config.replicaRead`: the CIG check, the comunicati): the replicas' store when configured. */
  reads?: ServiceDeps;
  /** There are replicas: the public pages keep answering from them while the primary is down. */
  readStoreSet?: boolean;
  /** The demo sign-in (pick a seeded user): the embedded default only. */
  demoSignIn: boolean;
  /** Sign-in with an OpenID Connect provider (the SPID/CIE gateway, wired in container.ts); absent when not configured. */
  oidc?: OidcSignIn | undefined;
  /** The public base URL, to decide whether cookies can be Secure. */
  publicUrl: () => string;
  /** What the status monitor last saw of the database: while it is down, pages that need it answer 503 at once. */
  databaseUp?: () => boolean;
  /** Rebuilds the status view after a change of incidents or maintenance, as the API does. */
  refreshStatus?: () => Promise<void>;
  /** Forgets the API tokens the authenticator remembers (after a revocation or a deactivation). */
  forgetTokens?: () => void;
}

interface PortalState {
  actor?: UserActor | undefined;
  token?: string | undefined;
  csrf?: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    portal: PortalState;
  }
}

const bootstrapItaliaDist = join(
  dirname(createRequire(import.meta.url).resolve('bootstrap-italia/package.json')),
  'dist',
);

/**
 * Forms that act for nobody in particular and so need no CSRF token: an e-mail subscription (confirmed by
 * a link in the message) and following that link (the token in it is the proof).
 */
const ANONYMOUS_FORMS = new Set(['/iscrizioni', '/iscrizioni/conferma', '/iscrizioni/annulla']);

/** Pages that need no database: they keep answering while it is down. */
/** Portal pages served without the database (they stay up while it is down). */
export const WITHOUT_DATABASE = new Set(['/', '/dichiarazione-di-accessibilita', '/assets/portal.css']);

/** The page a portal request gets while the database does not answer (503, with Retry-After). */
export const databaseDownPage = (): string =>
  messagePage('Servizio temporaneamente non disponibile', [
    html`La banca dati non risponde: questa pagina tornerà disponibile appena il servizio sarà ripristinato.`,
    html`Consulta lo <a href="/stato">stato dei servizi</a> per le interruzioni in corso e i comunicati.`,
  ]);

export const portalRoutes: FastifyPluginAsync<PortalOptions> = async (
  app,
  {
    deps,
    reads = deps,
    readStoreSet = false,
    demoSignIn,
    oidc,
    publicUrl,
    databaseUp = () => true,
    refreshStatus = async () => undefined,
    forgetTokens = () => undefined,
  },
) => {
  // Pages and the Bootstrap Italia stylesheet go out compressed (brotli or gzip, as the browser accepts):
  // the portal's routes only, the API is left as it is.
  await app.register(compress, { threshold: 1024, encodings: ['br', 'gzip'] });
  await app.register(formbody);
  await app.register(cookie);
  await app.register(fastifyStatic, {
    root: bootstrapItaliaDist,
    prefix: '/assets/bootstrap-italia/',
    allowedPath: (path) => /^\/(css|fonts|svg)\//.test(path),
    maxAge: '1d',
  });

  const cookies = portalCookies(publicUrl);

  app.decorateRequest('portal', null as unknown as PortalState);
  app.addHook('onRequest', async (request, reply) => {
    request.portal = {};
    const fromReplicas = readStoreSet && !!request.routeOptions.config.replicaRead;
    if (!databaseUp()) {
      const path = request.url.split('?')[0] ?? '/';
      // A public page read from the replicas: answered, for an anonymous visitor (sessions are on the primary).
      if (fromReplicas) return;
      if (WITHOUT_DATABASE.has(path) || path.startsWith('/assets/')) return;
      return reply
        .code(statusOf.service_unavailable)
        .header('retry-after', '5')
        .type('text/html; charset=utf-8')
        .send(databaseDownPage());
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const actor = await resolveSession(deps, token);
      if (actor)
        request.portal = {
          actor: { ...actor, requestId: String(request.id) },
          token,
          csrf: csrfTokenOf(token),
        };
    }
  });
  // Every state-changing request carries the CSRF token of its session (or, to sign in, of the sign-in page).
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || ANONYMOUS_FORMS.has(request.url)) return;
    const given = (request.body as Form | undefined)?.csrf;
    const expected = request.url === '/accedi' ? request.cookies[LOGIN_CSRF_COOKIE] : request.portal.csrf;
    if (!expected || !csrfMatches(expected, given)) {
      return reply
        .code(statusOf.forbidden)
        .type('text/html; charset=utf-8')
        .send(
          messagePage(
            'Richiesta non valida',
            [
              html`Il modulo è scaduto o non proviene da questo sito. Torna alla pagina precedente, ricaricala
              e riprova.`,
            ],
            { ...request.portal },
          ),
        );
    }
  });
  app.setErrorHandler(async (error, request, reply) => {
    const status = statusOfError(error);
    if (status >= 500) request.log.error({ err: error }, 'portal page failed');
    const [title, text] =
      status === 404
        ? ['Pagina non trovata', html`Quello che cerchi non esiste o non è visibile con il tuo profilo.`]
        : status === 403
          ? ['Accesso non consentito', html`Il tuo profilo non può vedere questa pagina.`]
          : status === 409 || status === 422
            ? [
                'Operazione non possibile',
                html`L'operazione non è possibile nello stato attuale (per esempio è già stata eseguita o il
                termine è passato). Torna alla pagina precedente e ricaricala.`,
              ]
            : status === 503
              ? [
                  'Servizio temporaneamente non disponibile',
                  html`La banca dati non risponde. Consulta lo <a href="/stato">stato dei servizi</a> e
                    riprova tra poco.`,
                ]
              : status < 500
                ? ['Richiesta non valida', html`La richiesta non è valida.`]
                : ['Errore del servizio', html`Si è verificato un errore. Riprova tra poco.`];
    if (status === 503) reply.header('retry-after', '5');
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(messagePage(title, [text, html`Codice richiesta: ${String(request.id)}`], { ...request.portal }));
  });

  await app.register(homePages);
  await app.register(cigCheckPages, { deps: reads });
  await app.register(signInPages, { deps, demoSignIn, oidc: !!oidc, cookies });
  await app.register(personalAreaPages, { deps });
  await app.register(tenderPages, { deps });
  await app.register(lotPages, { deps });
  await app.register(contributionPages, { deps });
  await app.register(relayPages, { deps });
  await app.register(urgentPages, { deps });
  await app.register(incidentPages, { deps, refreshStatus });
  await app.register(editorialPages, { deps });
  await app.register(smartCigPages, { deps });
  await app.register(registryPages, { deps, forgetTokens });
  if (oidc) await app.register(oidcPages, { deps, identityProvider: oidc, cookies });
  await app.register(protocolPages, { deps });
  await app.register(noticePages, { deps: reads });
  await app.register(maintenancePages, { deps, refreshStatus });
  await app.register(outageDeadlinePages, { deps });
  await app.register(subscriptionPages, {
    deps,
    linkBase: (request) => publicUrl() || `${request.protocol}://${request.host}`,
  });

  app.get('/assets/portal.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PORTAL_CSS),
  );
};

/**
 * The status of the error page: the code's status from `statusOf` (problem.ts, the one table; database
 * refusals arrive as DomainError, translated in adapters/db), a database that does not answer is
 * `service_unavailable`, as for the API; Fastify's own 4xx (a body it cannot parse) keep theirs.
 */
function statusOfError(error: unknown): number {
  const code: ErrorCode | undefined =
    error instanceof DomainError ? error.code : isUnavailable(error) ? 'service_unavailable' : undefined;
  if (code) return statusOf[code];
  const fastifyStatus = (error as { statusCode?: unknown }).statusCode;
  return typeof fastifyStatus === 'number' && fastifyStatus > 0 && fastifyStatus < 500
    ? fastifyStatus
    : statusOf.internal;
}
