import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../../services/context.js';
import { endSession } from '../../services/portal/end-session.js';
import { listDemoUsers } from '../../services/portal/list-demo-users.js';
import { startSession } from '../../services/portal/start-session.js';
import { LOGIN_CSRF_COOKIE, safeReturnPath, SESSION_COOKIE, type PortalCookies } from './cookies.js';
import { isUuid, send, type Form } from './forms.js';
import { html, messagePage, page, roleLabels, STATIC_PAGES_UPDATED } from './layout.js';

export interface SignInPagesOptions {
  deps: ServiceDeps;
  /** The demo sign-in (pick a seeded user): the embedded default only. */
  demoSignIn: boolean;
  /** Whether the OpenID Connect sign-in (SPID/CIE) is configured: the page then offers it. */
  oidc: boolean;
  cookies: PortalCookies;
}

/** Signing in (the demo sign-in, or the way to SPID/CIE) and out. */
export const signInPages: FastifyPluginAsync<SignInPagesOptions> = async (
  app,
  { deps, demoSignIn, oidc, cookies },
) => {
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
      secure: cookies.secure(request),
      maxAge: 3600,
    });
    const users = await listDemoUsers(deps);
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
    cookies.setSession(request, reply, session.token);
    return reply.redirect(safeReturnPath(form.dopo), 303);
  });

  app.post('/esci', async (request, reply) => {
    if (request.portal.token) await endSession(deps, request.portal.token);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });
};
