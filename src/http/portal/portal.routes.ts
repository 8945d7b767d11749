import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { cigFamilyLabels, validateCig } from '../../domain/cig/cig.js';
import { DomainError } from '../../domain/shared/errors.js';
import { formatAmountIt } from '../../domain/shared/money.js';
import { formatDateIt, romeDateOf } from '../../domain/shared/dates.js';
import { lookupCig } from '../../services/cig/lookup-cig.js';
import { getProvisional } from '../../services/continuity/get-provisional.js';
import { myReminders } from '../../services/continuity/my-reminders.js';
import type { ProvisionalProcedure } from '../../services/continuity/ports.js';
import { lotBidderContribution } from '../../services/payments/contributions.js';
import type { Lot } from '../../services/ports.js';
import type { ServiceDeps, UserActor } from '../../services/context.js';
import {
  csrfMatches,
  csrfTokenOf,
  demoUsers,
  endSession,
  resolveSession,
  SESSION_HOURS,
  startSession,
} from '../../services/portal/sessions.js';
import { createTender } from '../../services/tenders/create-tender.js';
import { getTender, listTenders } from '../../services/tenders/get-tender.js';
import { isPgError } from '../../adapters/db/database.js';
import { isUnavailable, statusOf } from '../problem.js';
import { dataTable, html, messagePage, page, PORTAL_CSS, roleLabels, type Html } from './layout.js';
import { fieldErrorIt, lotStateLabels, tenderStateLabels } from './labels.js';
import {
  errorSummary,
  formFieldOf,
  isUuid,
  send,
  signedIn,
  tenderFieldsets,
  tenderInput,
  type FieldErrors,
  type Form,
} from './forms.js';
import { lotPages } from './lot.pages.js';
import { contributionPages } from './contribution.pages.js';
import { relayPages } from './relay.pages.js';
import { urgentPages } from './urgent.pages.js';
import { incidentPages } from './incident.pages.js';
import { editorialPages } from './editorial.pages.js';
import { smartCigPages } from './smart-cig.pages.js';
import { registryPages } from './registry.pages.js';
import { oidcPages, type OidcOptions } from './oidc.js';
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
  /** The demo sign-in (pick a seeded user): the embedded default only. */
  demoSignIn: boolean;
  /** Sign-in with an OpenID Connect provider (the SPID/CIE gateway); absent when not configured. */
  oidc?: OidcOptions | undefined;
  /** The public base URL, to decide whether cookies can be Secure. */
  publicUrl: () => string;
  /** What the status monitor last saw of the database: while it is down, pages that need it answer 503 at once. */
  databaseUp?: () => boolean;
  /** Rebuilds the status view after a change of incidents or maintenance, as the API does. */
  refreshStatus?: () => Promise<void>;
  /** Forgets the API tokens the authenticator remembers (after a revocation or a deactivation). */
  forgetTokens?: () => void;
}

const SESSION_COOKIE = 'gara_sessione';
const LOGIN_CSRF_COOKIE = 'gara_csrf_accesso';
/** When this portal's static pages last changed (footer of those pages). */
const STATIC_PAGES_UPDATED = '2026-11-26';

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
const WITHOUT_DATABASE = new Set(['/', '/dichiarazione-di-accessibilita', '/assets/portal.css']);

export const portalRoutes: FastifyPluginAsync<PortalOptions> = async (
  app,
  {
    deps,
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

  const secureCookies = (request: FastifyRequest): boolean => {
    const base = publicUrl() || `${request.protocol}://${request.host}`;
    try {
      const url = new URL(base);
      return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    } catch {
      return true;
    }
  };
  const setSessionCookie = (request: FastifyRequest, reply: FastifyReply, token: string) => {
    void reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(request),
      maxAge: SESSION_HOURS * 3600,
    });
  };

  app.decorateRequest('portal', null as unknown as PortalState);
  app.addHook('onRequest', async (request, reply) => {
    request.portal = {};
    if (!databaseUp()) {
      const path = request.url.split('?')[0] ?? '/';
      if (WITHOUT_DATABASE.has(path) || path.startsWith('/assets/')) return;
      return reply
        .code(503)
        .header('retry-after', '5')
        .type('text/html; charset=utf-8')
        .send(
          messagePage('Servizio temporaneamente non disponibile', [
            html`La banca dati non risponde: questa pagina tornerà disponibile appena il servizio sarà
            ripristinato.`,
            html`Consulta lo <a href="/stato">stato dei servizi</a> per le interruzioni in corso e i
              comunicati.`,
          ]),
        );
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
        .code(403)
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
    const domain = error instanceof DomainError ? error : undefined;
    // A concurrent change the database refused (serialization, a constraint): the same as the API's 409.
    const conflict = isPgError(error) && (error.code === '40001' || !!error.code?.startsWith('23'));
    const status = domain
      ? statusOf[domain.code]
      : conflict
        ? 409
        : isUnavailable(error)
          ? 503
          : (error as { statusCode?: number }).statusCode &&
              (error as { statusCode: number }).statusCode < 500
            ? (error as { statusCode: number }).statusCode
            : 500;
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

  await app.register(lotPages, { deps });
  await app.register(contributionPages, { deps });
  await app.register(relayPages, { deps });
  await app.register(urgentPages, { deps });
  await app.register(incidentPages, { deps, refreshStatus });
  await app.register(editorialPages, { deps });
  await app.register(smartCigPages, { deps });
  await app.register(registryPages, { deps, forgetTokens });
  if (oidc) await app.register(oidcPages, { deps, oidc, secureCookies, setSessionCookie, safeReturnPath });
  await app.register(protocolPages, { deps });
  await app.register(noticePages, { deps });
  await app.register(maintenancePages, { deps, refreshStatus });
  await app.register(outageDeadlinePages, { deps });
  await app.register(subscriptionPages, {
    deps,
    linkBase: (request) => publicUrl() || `${request.protocol}://${request.host}`,
  });

  app.get('/assets/portal.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PORTAL_CSS),
  );

  // --- public ----------------------------------------------------------------------------------------

  app.get('/', async (request, reply) =>
    send(
      reply,
      page({
        ...request.portal,
        title: 'Servizi per i contratti pubblici',
        current: '/',
        updatedAt: STATIC_PAGES_UPDATED,
        body: html`<h1>Servizi per i contratti pubblici</h1>
          <p class="lead">
            Codici identificativi di gara (CIG e SmartCIG), contributi all'Autorità con pagoPA, stato dei
            servizi e comunicati, anche quando i servizi on line sono interrotti.
          </p>
          <div class="row g-4 mt-2">
            <div class="col-12 col-lg-6">
              <div class="card card-bg h-100">
                <div class="card-body">
                  <h2 class="h4 card-title">Verifica un CIG</h2>
                  ${cigForm('')}
                </div>
              </div>
            </div>
            <div class="col-12 col-lg-6">
              <div class="card card-bg h-100">
                <div class="card-body">
                  <h2 class="h4 card-title">Servizi on line</h2>
                  <ul>
                    <li><a href="/stato">Stato dei servizi</a>: interruzioni, manutenzioni, storico</li>
                    <li><a href="/comunicati">Comunicati</a> dell'Autorità</li>
                    <li>
                      <a href="/iscrizioni">Ricevi gli avvisi</a> per posta elettronica quando un servizio si
                      interrompe o torna disponibile
                    </li>
                    <li>
                      ${request.portal.actor ? html`<a href="/area-personale">La tua area personale</a>` : html`<a href="/accedi">Accedi</a> come RUP, operatore economico o personale delle sezioni regionali`}
                    </li>
                  </ul>
                </div>
              </div>
            </div>
          </div>`.value,
      }),
    ),
  );

  app.get('/dichiarazione-di-accessibilita', async (request, reply) =>
    send(
      reply,
      page({
        ...request.portal,
        title: 'Dichiarazione di accessibilità',
        updatedAt: STATIC_PAGES_UPDATED,
        body: html`<h1>Dichiarazione di accessibilità</h1>
          <p>
            Questo servizio si impegna a rendere accessibili le proprie pagine in conformità alla legge 4/2004
            e alle Linee guida AgID sull'accessibilità degli strumenti informatici (WCAG 2.1, livello AA).
          </p>
          <h2 class="h4">Stato di conformità</h2>
          <p>
            Le pagine sono verificate automaticamente con axe-core a ogni modifica (nessuna violazione grave o
            critica ammessa), sono utilizzabili da tastiera e leggibili da 320 pixel di larghezza. La verifica
            automatica non sostituisce quella con utenti e tecnologie assistive, non ancora svolta.
          </p>
          <h2 class="h4">Segnalazioni</h2>
          <p>
            Per segnalare un problema di accessibilità scrivi alla sezione regionale competente indicando la
            pagina e il problema riscontrato.
          </p>`.value,
      }),
    ),
  );

  const provisionalResult = async (reference: string): Promise<Html> => {
    try {
      return provisionalResultOf(await getProvisional(deps, reference));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'not_found') throw error;
      return html`<div class="alert alert-danger mt-4" role="alert">
        <h2 class="h5">Il riferimento provvisorio ${reference} non esiste</h2>
        <p class="mb-0">Controlla di averlo copiato per intero dagli atti di gara.</p>
      </div>`;
    }
  };

  app.get<{ Querystring: { codice?: string } }>('/cig', async (request, reply) => {
    const code = (request.query.codice ?? '').trim();
    let result: Html = html``;
    if (PROVISIONAL_REFERENCE.test(code)) {
      result = await provisionalResult(code.toUpperCase());
    } else if (code !== '') {
      const validation = validateCig(code);
      if (!validation.valid) {
        result = html`<div class="alert alert-danger mt-4" role="alert">
          <h2 class="h5">Il codice ${validation.code} non è un CIG valido</h2>
          <p class="mb-0">${cigInvalidIt[validation.reason]}</p>
        </div>`;
      } else {
        const family = cigFamilyLabels[validation.family];
        try {
          const found = await lookupCig(deps, validation.code);
          const marked = found.issuedDuringIncidents.length
            ? html`<p class="mb-0">
                Acquisito durante un disservizio (${found.issuedDuringIncidents.join(', ')}): il codice resta
                valido.
              </p>`
            : '';
          result =
            found.kind === 'lot'
              ? html`<div class="alert alert-success mt-4" role="status">
                  <h2 class="h5">
                    CIG <span class="cig-code">${found.lot.cig}</span>: ${lotStateLabels[found.lot.state]}
                  </h2>
                  <dl class="row mb-0">
                    <dt class="col-sm-4">Tipo</dt>
                    <dd class="col-sm-8">${family}</dd>
                    <dt class="col-sm-4">Oggetto</dt>
                    <dd class="col-sm-8">${found.lot.object}</dd>
                    <dt class="col-sm-4">Stazione appaltante</dt>
                    <dd class="col-sm-8">${found.lot.contractingAuthorityName}</dd>
                    <dt class="col-sm-4">Gara n.</dt>
                    <dd class="col-sm-8">${found.lot.tenderNumber}, lotto ${found.lot.lotNumber}</dd>
                    <dt class="col-sm-4">Importo</dt>
                    <dd class="col-sm-8">€ ${formatAmountIt(found.lot.amountCents)}</dd>
                    <dt class="col-sm-4">Acquisito il</dt>
                    <dd class="col-sm-8">${formatDateIt(found.lot.acquiredAt)}</dd>
                    <dt class="col-sm-4">Contributo di ciascun partecipante</dt>
                    <dd class="col-sm-8">${bidderFeeIt(found.lot)}</dd>
                    <dt class="col-sm-4">Contributo della stazione appaltante (per la gara)</dt>
                    <dd class="col-sm-8">
                      ${
                        found.authorityContribution.exempt
                          ? 'non dovuto'
                          : `€ ${formatAmountIt(found.authorityContribution.amountCents)}`
                      }
                      (su € ${formatAmountIt(found.authorityContribution.onAmountCents)})
                    </dd>
                  </dl>
                  ${marked}
                </div>`
              : html`<div class="alert alert-success mt-4" role="status">
                  <h2 class="h5">SmartCIG <span class="cig-code">${found.smartCig.cig}</span></h2>
                  <dl class="row mb-0">
                    <dt class="col-sm-4">Oggetto</dt>
                    <dd class="col-sm-8">${found.smartCig.object}</dd>
                    <dt class="col-sm-4">Importo</dt>
                    <dd class="col-sm-8">€ ${formatAmountIt(found.smartCig.amountCents)}</dd>
                  </dl>
                  ${marked}
                </div>`;
        } catch (error) {
          if (!(error instanceof DomainError) || error.code !== 'not_found') throw error;
          result = html`<div class="alert alert-warning mt-4" role="status">
            <h2 class="h5">Codice formalmente valido (${family}), non presente in questo registro</h2>
            <p class="mb-0">
              I caratteri di controllo sono corretti, ma il codice non è stato rilasciato da questo servizio.
            </p>
          </div>`;
        }
      }
    }
    return send(
      reply,
      page({
        ...request.portal,
        title: code ? `Verifica CIG ${code}` : 'Verifica un CIG',
        current: '/cig',
        updatedAt: new Date(),
        breadcrumbs: [{ label: 'Home', href: '/' }, { label: 'Verifica CIG' }],
        body: html`<h1>Verifica un CIG</h1>
          <p>
            Controlla un CIG o uno SmartCIG (il tipo di codice, se è valido e, se rilasciato qui, a quale gara
            si riferisce) o il riferimento provvisorio di una procedura registrata durante un disservizio.
          </p>
          ${cigForm(code)}${result}`.value,
      }),
    );
  });

  // --- sign-in ---------------------------------------------------------------------------------------

  app.get<{ Querystring: { dopo?: string } }>('/accedi', async (request, reply) => {
    const after = safeReturnPath(request.query.dopo);
    const withSpid = oidc
      ? html`<p>Entra con la tua identità digitale SPID o con la Carta d'identità elettronica.</p>
          <p>
            <a class="btn btn-primary" href="/accedi/oidc?dopo=${encodeURIComponent(after)}"
              >Entra con SPID o CIE</a
            >
          </p>`
      : '';
    if (!demoSignIn && oidc) {
      return send(
        reply,
        page({
          ...request.portal,
          title: 'Accedi',
          updatedAt: STATIC_PAGES_UPDATED,
          breadcrumbs: [{ label: 'Home', href: '/' }, { label: 'Accedi' }],
          body: html`<h1>Accedi</h1>
            ${withSpid}`.value,
        }),
      );
    }
    if (!demoSignIn) {
      return send(
        reply,
        messagePage('Accedi', [
          html`L'accesso con SPID o CIE tramite il fornitore di identità configurato non è ancora attivo su
          questa installazione.`,
        ]),
        503,
      );
    }
    const csrf = randomBytes(24).toString('base64url');
    void reply.setCookie(LOGIN_CSRF_COOKIE, csrf, {
      path: '/accedi',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(request),
      maxAge: 3600,
    });
    const users = await demoUsers(deps);
    const sections = [...users.entries()].filter(([, list]) => list.length > 0);
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Accedi',
        updatedAt: new Date(),
        breadcrumbs: [{ label: 'Home', href: '/' }, { label: 'Accedi' }],
        body: html`<h1>Accedi</h1>
          ${withSpid}
          <div class="alert alert-info" role="note">
            <p class="mb-0">
              <strong>Accesso dimostrativo.</strong> Questa installazione contiene dati di prova: scegli un
              utente per entrare con il suo profilo. In esercizio l'accesso avviene con SPID o CIE.
            </p>
          </div>
          ${sections.map(
            ([role, list]) =>
              html`<h2 class="h4 mt-4">${roleLabels[role]}</h2>
                <ul class="list-unstyled">
                  ${list.map(
                    (u) =>
                      html`<li class="mb-2">
                        <form
                          method="post"
                          action="/accedi"
                          class="d-flex flex-wrap align-items-center gap-2"
                        >
                          <input type="hidden" name="csrf" value="${csrf}" />
                          <input type="hidden" name="utente" value="${u.id}" />
                          <input type="hidden" name="dopo" value="${after}" />
                          <button type="submit" class="btn btn-outline-primary btn-sm">
                            Accedi come ${u.name}
                          </button>
                          <span class="small text-muted">${u.email}</span>
                        </form>
                      </li>`,
                  )}
                </ul>`,
          )}`.value,
      }),
    );
  });

  app.post('/accedi', async (request, reply) => {
    if (!demoSignIn) return send(reply, messagePage('Accedi', [html`Accesso dimostrativo non attivo.`]), 403);
    const form = request.body as Form;
    const userId = String(form.utente ?? '');
    if (!isUuid(userId))
      return send(reply, messagePage('Accedi', [html`Utente non trovato o non attivo.`]), 422);
    const session = await startSession(deps, { userId, signIn: 'demo' }).catch((error: unknown) => {
      if (error instanceof DomainError && ['not_found', 'invalid_state'].includes(error.code))
        return undefined;
      throw error;
    });
    if (!session) return send(reply, messagePage('Accedi', [html`Utente non trovato o non attivo.`]), 422);
    void reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/accedi' });
    setSessionCookie(request, reply, session.token);
    return reply.redirect(safeReturnPath(form.dopo), 303);
  });

  app.post('/esci', async (request, reply) => {
    if (request.portal.token) await endSession(deps, request.portal.token);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  // --- personal area ---------------------------------------------------------------------------------

  app.get('/area-personale', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const links: Html[] = [];
    if (actor.role === 'rup') {
      links.push(html`<li><a href="/area-personale/gare">Le mie gare</a>: lotti, stati e scadenze</li>`);
      links.push(html`<li><a href="/area-personale/gare/nuova">Nuova gara</a>: acquisisci i CIG</li>`);
      links.push(
        html`<li><a href="/area-personale/smartcig">SmartCIG</a> per i contratti sotto i 40.000 euro</li>`,
      );
      links.push(
        html`<li>
          <a href="/area-personale/procedure-urgenti">Procedure urgenti</a>: «CIG in fase di acquisizione»
          durante un disservizio, poi la regolarizzazione
        </li>`,
      );
      links.push(
        html`<li>
          <a href="/area-personale/scadenze-nei-disservizi">Scadenze nei disservizi</a>: le procedure da
          valutare per una proroga dei termini
        </li>`,
      );
    }
    if (actor.role === 'regional_staff' || actor.role === 'authority_staff' || actor.role === 'admin') {
      links.push(
        html`<li>
          <a href="/area-personale/gare">Gare</a> della
          ${actor.role === 'regional_staff' ? 'tua regione' : 'banca dati'}
        </li>`,
      );
    }
    if (actor.role !== 'rup' && actor.role !== 'economic_operator') {
      links.push(html`<li><a href="/area-personale/disservizi">Disservizi</a>: registra e aggiorna</li>`);
      links.push(
        html`<li>
          <a href="/area-personale/manutenzioni">Manutenzioni programmate</a>: annuncia e annulla
        </li>`,
      );
      links.push(
        html`<li>
          <a href="/area-personale/procedure-urgenti?scadute=1">Regolarizzazioni scadute</a>
          ${actor.role === 'regional_staff' ? 'nella tua regione' : 'per regione'}
        </li>`,
      );
      links.push(
        html`<li>
          <a href="/area-personale/protocollo">Registro di protocollo</a>: registrazioni, annullamenti e
          registro giornaliero
        </li>`,
      );
    }
    if (actor.role === 'admin') {
      links.push(
        html`<li>
          <a href="/area-personale/anagrafica">Anagrafica</a>: sezioni regionali, stazioni appaltanti, utenti,
          operatori economici
        </li>`,
      );
    }
    if (actor.role === 'authority_staff' || actor.role === 'admin') {
      links.push(
        html`<li>
          <a href="/area-personale/redazione">Comunicati</a>: pubblica, approva gli avvisi di ripristino
        </li>`,
      );
    }
    if (actor.role === 'regional_staff' || actor.role === 'admin') {
      links.push(
        html`<li>
          <a href="/area-personale/comunicati">Inoltro dei comunicati</a> ai RUP, con l'esito dell'invio
        </li>`,
      );
    }
    if (actor.role === 'economic_operator') {
      links.push(
        html`<li>
          <a href="/area-personale/contributi">Contributi</a>: avvisi di pagamento pagoPA e ricevute
        </li>`,
      );
    }
    links.push(html`<li><a href="/cig">Verifica un CIG</a></li>`);
    // The last week's reminders (regularisations due or overdue), newest first.
    const since = romeDateOf(new Date(deps.clock.now().getTime() - 7 * 86_400_000));
    const reminders = (await myReminders(deps, actor)).filter((r) => r.day >= since).slice(0, 10);
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Area personale',
        current: '/area-personale',
        breadcrumbs: [{ label: 'Home', href: '/' }, { label: 'Area personale' }],
        body: html`<h1>Area personale</h1>
          <p>Hai effettuato l'accesso come <strong>${actor.name}</strong> (${roleLabels[actor.role]}).</p>
          ${
            reminders.length
              ? html`<div class="alert alert-warning" role="note">
                  <h2 class="h5">Promemoria</h2>
                  <ul class="mb-0">
                    ${reminders.map(
                      (r) =>
                        html`<li>
                          ${
                            r.subjectType === 'provisional_procedure'
                              ? html`<a href="/area-personale/procedure-urgenti/${r.subjectId}"
                                  >${r.message}</a
                                >`
                              : r.message
                          }
                        </li>`,
                    )}
                  </ul>
                </div>`
              : ''
          }
          <ul>
            ${links}
          </ul>`.value,
      }),
    );
  });

  app.get<{ Querystring: { pagina?: string } }>('/area-personale/gare', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const pageNumber = Math.min(10_000, Math.max(1, Number.parseInt(request.query.pagina ?? '1', 10) || 1));
    const size = 20;
    const tenders = await listTenders(deps, { limit: size, offset: (pageNumber - 1) * size }, actor);
    const pages = Math.max(1, Math.ceil(tenders.total / size));
    return send(
      reply,
      page({
        ...request.portal,
        title: 'Gare',
        current: '/area-personale',
        breadcrumbs: [
          { label: 'Home', href: '/' },
          { label: 'Area personale', href: '/area-personale' },
          { label: 'Gare' },
        ],
        body: html`<div class="d-flex flex-wrap justify-content-between align-items-center gap-2">
            <h1>Gare</h1>
            ${actor.role === 'rup' ? html`<a class="btn btn-primary" href="/area-personale/gare/nuova">Nuova gara</a>` : ''}
          </div>
          <p>${tenders.total} ${tenders.total === 1 ? 'gara' : 'gare'}.</p>
          ${dataTable(
            `Gare, dalla più recente`,
            ['Numero', 'Oggetto', 'Stazione appaltante', 'Lotti', 'Stato', 'Creata il'],
            tenders.items.map(
              (t) =>
                html`<tr>
                  <td><a href="/area-personale/gare/${t.tenderNumber}">${t.tenderNumber}</a></td>
                  <td>${t.object}</td>
                  <td>${t.contractingAuthorityName}</td>
                  <td>${t.lotCount}</td>
                  <td>${tenderStateLabels[t.state]}</td>
                  <td>${formatDateIt(t.createdAt)}</td>
                </tr>`,
            ),
          )}
          ${
            pages > 1
              ? html`<nav class="pagination-wrapper" aria-label="Pagine">
                  <ul class="pagination">
                    ${pageNumber > 1 ? html`<li class="page-item"><a class="page-link" href="?pagina=${pageNumber - 1}">Pagina precedente</a></li>` : ''}
                    <li class="page-item">
                      <span class="page-link" aria-current="page">Pagina ${pageNumber} di ${pages}</span>
                    </li>
                    ${pageNumber < pages ? html`<li class="page-item"><a class="page-link" href="?pagina=${pageNumber + 1}">Pagina successiva</a></li>` : ''}
                  </ul>
                </nav>`
              : ''
          }`.value,
      }),
    );
  });

  const tenderForm = async (request: FastifyRequest, values: Form, errors: FieldErrors): Promise<string> => {
    const procedures = (await deps.store.reference.procedureTypes()).filter((p) => p.validTo === null);
    const summary = errorSummary(errors);
    return page({
      ...request.portal,
      title: errors.size ? 'Errori nel modulo: nuova gara' : 'Nuova gara',
      current: '/area-personale',
      breadcrumbs: [
        { label: 'Home', href: '/' },
        { label: 'Gare', href: '/area-personale/gare' },
        { label: 'Nuova gara' },
      ],
      body: html`<h1>Nuova gara</h1>
        <p>Ogni lotto riceve il suo CIG appena la gara è creata. I campi sono tutti obbligatori.</p>
        ${summary}
        <form method="post" action="/area-personale/gare/nuova" novalidate>
          <input type="hidden" name="csrf" value="${request.portal.csrf ?? ''}" />
          ${tenderFieldsets(values, errors, procedures)}
          <button type="submit" class="btn btn-primary">Crea la gara e acquisisci il CIG</button>
        </form>`.value,
    });
  };

  app.get('/area-personale/gare/nuova', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    if (actor.role !== 'rup') throw new DomainError('forbidden', 'only a RUP creates tenders');
    return send(reply, await tenderForm(request, {}, new Map()));
  });

  app.post('/area-personale/gare/nuova', async (request, reply) => {
    const actor = signedIn(request, reply);
    if (!actor) return reply;
    const form = request.body as Form;
    try {
      const { tender } = await createTender(deps, tenderInput(form), actor);
      return reply.redirect(`/area-personale/gare/${tender.tenderNumber}?creata=1`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      const name = formFieldOf(error.field);
      return send(reply, await tenderForm(request, form, new Map([[name, fieldErrorIt(name)]])), 422);
    }
  });

  app.get<{ Params: { n: string }; Querystring: { creata?: string } }>(
    '/area-personale/gare/:n',
    async (request, reply) => {
      const actor = signedIn(request, reply);
      if (!actor) return reply;
      const n = Number(request.params.n);
      if (!/^\d{7}$/.test(request.params.n)) throw new DomainError('not_found', 'no such tender');
      const { tender, lots } = await getTender(deps, n, actor);
      return send(
        reply,
        page({
          ...request.portal,
          title: `Gara ${tender.tenderNumber}`,
          current: '/area-personale',
          updatedAt: tender.updatedAt,
          breadcrumbs: [
            { label: 'Home', href: '/' },
            { label: 'Gare', href: '/area-personale/gare' },
            { label: `Gara ${tender.tenderNumber}` },
          ],
          body: html`${
              request.query.creata
                ? html`<div class="alert alert-success" role="status">
                    Gara creata:
                    ${lots.length === 1 ? 'il CIG è stato acquisito' : 'i CIG sono stati acquisiti'}.
                  </div>`
                : ''
            }
            <h1>Gara ${tender.tenderNumber}</h1>
            <dl class="row">
              <dt class="col-sm-3">Oggetto</dt>
              <dd class="col-sm-9">${tender.object}</dd>
              <dt class="col-sm-3">Stazione appaltante</dt>
              <dd class="col-sm-9">${tender.contractingAuthorityName}</dd>
              <dt class="col-sm-3">Stato</dt>
              <dd class="col-sm-9">${tenderStateLabels[tender.state]}</dd>
              <dt class="col-sm-3">Creata il</dt>
              <dd class="col-sm-9">${formatDateIt(tender.createdAt)}</dd>
            </dl>
            <h2 class="h4">Lotti</h2>
            ${dataTable(
              `Lotti della gara ${tender.tenderNumber}`,
              ['Lotto', 'CIG', 'Oggetto', 'Importo', 'Stato', 'Perfezionare entro'],
              lots.map(
                (l) =>
                  html`<tr>
                    <td>${l.lotNumber}</td>
                    <td><a class="cig-code" href="/area-personale/lotti/${l.cig}">${l.cig}</a></td>
                    <td>${l.object}</td>
                    <td>€ ${formatAmountIt(l.amountCents)}</td>
                    <td>${lotStateLabels[l.state]}</td>
                    <td>${l.state === 'issued' ? formatDateIt(l.perfectionDeadline) : '—'}</td>
                  </tr>`,
              ),
            )}`.value,
        }),
      );
    },
  );

  /** Only a path on this site (no scheme, no host, no //) may be a return address. */
  function safeReturnPath(value: string | undefined): string {
    return value && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/area-personale';
  }
};

const PROVISIONAL_REFERENCE = /^PROV-\d{4}-\d{6}$/i;

/** What anyone may know of a provisional reference ("CIG in fase di acquisizione") and, later, its CIGs. */
function provisionalResultOf(p: ProvisionalProcedure): Html {
  const regularised = p.state === 'regularised';
  return html`<div class="alert ${regularised ? 'alert-success' : 'alert-info'} mt-4" role="status">
    <h2 class="h5">
      Riferimento provvisorio <span class="cig-code">${p.reference}</span>:
      ${regularised ? 'procedura regolarizzata' : 'CIG in fase di acquisizione'}
    </h2>
    <p>
      ${
        regularised
          ? html`La procedura, registrata durante il disservizio ${p.incidentCode}, ha ricevuto i CIG il
            ${formatDateIt(p.regularisedAt ?? p.registeredAt)}: negli atti vale il CIG del lotto.`
          : html`Il riferimento è valido: la procedura è stata registrata il ${formatDateIt(p.registeredAt)}
            durante il disservizio ${p.incidentCode}; i CIG saranno acquisiti entro il
            ${formatDateIt(p.regularisationDeadline)}. Non è un CIG.`
      }
    </p>
    <dl class="row mb-0">
      <dt class="col-sm-4">Oggetto</dt>
      <dd class="col-sm-8">${p.object}</dd>
      <dt class="col-sm-4">Stazione appaltante</dt>
      <dd class="col-sm-8">${p.contractingAuthorityName}</dd>
      ${p.lots.map(
        (l) =>
          html`<dt class="col-sm-4">Lotto ${l.lotNumber}</dt>
            <dd class="col-sm-8">
              ${l.object}, € ${formatAmountIt(l.amountCents)}:
              ${l.cig ? html`CIG <span class="cig-code">${l.cig}</span>` : 'CIG in fase di acquisizione'}
            </dd>`,
      )}
    </dl>
  </div>`;
}

/** A real, valid PCP code (domain.md's worked example), shown as the example on the CIG check. */
export const EXAMPLE_CIG = 'A000023DB1';

function cigForm(code: string): Html {
  return html`<form method="get" action="/cig" class="mt-3" role="search">
    <div class="form-group">
      <label for="codice" class="form-label-static">CIG, SmartCIG o riferimento provvisorio</label>
      <input
        type="text"
        class="form-control"
        id="codice"
        name="codice"
        value="${code}"
        maxlength="20"
        autocomplete="off"
        spellcheck="false"
        aria-describedby="codice-aiuto"
      />
      <small id="codice-aiuto" class="form-text"
        >Dieci caratteri, per esempio ${EXAMPLE_CIG}; o un riferimento provvisorio come
        PROV-2021-000123.</small
      >
    </div>
    <button type="submit" class="btn btn-primary">Verifica</button>
  </form>`;
}

function bidderFeeIt(lot: Lot): string {
  const fee = lotBidderContribution(lot, lot.tenderCreatedAt);
  return fee.exempt ? 'non dovuto' : `€ ${formatAmountIt(fee.amountCents)}`;
}

const cigInvalidIt: Record<string, string> = {
  empty: 'Il codice è vuoto.',
  wrong_length: 'Un CIG ha 10 caratteri.',
  invalid_characters:
    'Il codice contiene caratteri non ammessi (solo cifre e lettere A-F, o le lettere iniziali previste).',
  unknown_family: 'Il primo carattere non corrisponde a nessun tipo di CIG.',
  zero_progressive: 'Il progressivo del codice non può essere zero.',
  check_mismatch:
    'I caratteri di controllo non corrispondono: probabilmente il codice è stato trascritto male.',
};
