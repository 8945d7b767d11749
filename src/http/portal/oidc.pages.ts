import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceDeps } from '../../services/context.js';
import { beginProviderSignIn } from '../../services/portal/begin-provider-sign-in.js';
import { completeProviderSignIn } from '../../services/portal/complete-provider-sign-in.js';
import type { IdentityProvider, ProviderFailure, ProviderFlow } from '../../services/portal/ports.js';
import { endSession } from '../../services/portal/end-session.js';
import { safeReturnPath, type PortalCookies } from './cookies.js';
import { send } from './forms.js';
import { html, messagePage, type Html } from './layout.js';

/**
 * Sign-in with OpenID Connect (the SPID/CIE gateway): `/accedi/oidc` sends the browser to the provider;
 * the provider sends it back to `/accedi/oidc/ritorno`, where the code is exchanged, the ID token checked
 * (the `IdentityProvider` adapter, over `openid-client`) and the identity mapped to a registered user
 * (`services/portal/provider-identity.ts`). Only registered, active users get a session; nobody is
 * created here.
 */

/** The provider the portal signs in with (built in container.ts), as the portal's option. */
export type OidcSignIn = IdentityProvider;

export interface OidcPagesOptions {
  deps: ServiceDeps;
  identityProvider: IdentityProvider;
  cookies: PortalCookies;
}

/** The flow in progress (state, nonce, PKCE verifier, where to go after): a short-lived cookie. */
const FLOW_COOKIE = 'gara_oidc';
const FLOW_MINUTES = 10;

interface Flow extends ProviderFlow {
  after: string;
}

export const oidcPages: FastifyPluginAsync<OidcPagesOptions> = async (
  app,
  { deps, identityProvider, cookies },
) => {
  const providerDeps = { ...deps, identityProvider };

  const unavailable = (request: FastifyRequest, reply: FastifyReply, failure: ProviderFailure) => {
    const what = failure.failed === 'unreachable' ? failure.stage : failure.failed;
    request.log.error(
      { err: failure.error, issuer: identityProvider.issuer },
      `OpenID Connect provider: ${what} failed`,
    );
    void reply.header('retry-after', '30');
    return send(
      reply,
      messagePage(
        'Accesso con SPID o CIE non disponibile',
        [
          html`Il servizio di accesso con SPID o CIE non risponde in questo momento. Riprova tra qualche
          minuto.`,
          html`Consulta lo <a href="/stato">stato dei servizi</a> per le interruzioni in corso.`,
          html`Codice richiesta: ${String(request.id)}`,
        ],
        { ...request.portal },
      ),
      503,
    );
  };

  const refused = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    title: string,
    text: Html[],
  ) =>
    send(
      reply,
      messagePage(title, [...text, html`Codice richiesta: ${String(request.id)}`], { ...request.portal }),
      status,
    );

  const flowCookieOptions = (request: FastifyRequest) => ({
    path: '/accedi',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: cookies.secure(request),
  });

  app.get<{ Querystring: { dopo?: string } }>('/accedi/oidc', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const started = await beginProviderSignIn(providerDeps);
    if ('failed' in started) return unavailable(request, reply, started);
    const flow: Flow = { ...started.flow, after: safeReturnPath(request.query.dopo) };
    void reply.setCookie(FLOW_COOKIE, encodeFlow(flow), {
      ...flowCookieOptions(request),
      maxAge: FLOW_MINUTES * 60,
    });
    return reply.redirect(started.url, 303);
  });

  app.get('/accedi/oidc/ritorno', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const flow = decodeFlow(request.cookies[FLOW_COOKIE]);
    void reply.clearCookie(FLOW_COOKIE, flowCookieOptions(request));
    const again = html`<a href="/accedi">Torna alla pagina di accesso</a> e riprova.`;
    if (!flow) {
      return refused(request, reply, 400, 'Accesso non riuscito', [
        html`La richiesta di accesso è scaduta o non è partita da questo browser.`,
        again,
      ]);
    }
    const callbackSearch = new URL(request.url, 'http://portal.invalid').search;
    const signIn = await completeProviderSignIn(providerDeps, { callbackSearch, flow });
    if ('failed' in signIn) {
      if (signIn.failed === 'unreachable') return unavailable(request, reply, signIn);
      if (signIn.failed === 'denied') {
        return refused(request, reply, 403, 'Accesso annullato', [
          html`L'accesso con SPID o CIE è stato annullato o negato dal fornitore di identità.`,
          again,
        ]);
      }
      request.log.warn(
        { err: signIn.error, issuer: identityProvider.issuer },
        'OpenID Connect sign-in refused',
      );
      return refused(request, reply, 400, 'Accesso non riuscito', [
        html`La risposta del fornitore di identità non è valida o è già stata usata.`,
        again,
      ]);
    }

    const { identity } = signIn;
    if ('refused' in signIn) {
      request.log.info(
        { subject: identity.subject, refused: signIn.refused },
        'OpenID Connect identity not registered',
      );
      const who = identity.fiscalCode
        ? html`con codice fiscale <strong>${identity.fiscalCode}</strong>`
        : identity.verifiedEmail
          ? html`con indirizzo <strong>${identity.verifiedEmail}</strong>`
          : html`indicata dal fornitore di identità`;
      return refused(request, reply, 403, 'Identità non registrata', [
        signIn.refused === 'ambiguous'
          ? html`L'identità ${who} corrisponde a più profili di questo servizio: non è possibile scegliere con
            quale entrare.`
          : html`L'identità ${who} non corrisponde a un utente abilitato di questo servizio.`,
        html`Per essere abilitato rivolgiti all'amministrazione di riferimento (la sezione regionale
        dell'Osservatorio o l'Autorità).`,
      ]);
    }
    if (request.portal.token) await endSession(deps, request.portal.token);
    cookies.setSession(request, reply, signIn.session.token);
    request.log.info({ userId: signIn.session.user.id, by: signIn.by }, 'portal sign-in with OpenID Connect');
    return reply.redirect(safeReturnPath(flow.after), 303);
  });
};

function encodeFlow(flow: Flow): string {
  return Buffer.from(JSON.stringify(flow)).toString('base64url');
}

function decodeFlow(value: string | undefined): Flow | undefined {
  if (!value || value.length > 2000) return undefined;
  try {
    const flow = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Flow>;
    return typeof flow.state === 'string' &&
      typeof flow.nonce === 'string' &&
      typeof flow.verifier === 'string' &&
      typeof flow.after === 'string'
      ? (flow as Flow)
      : undefined;
  } catch {
    return undefined;
  }
}
