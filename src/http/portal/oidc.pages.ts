import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { DomainError } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../../services/context.js';
import type { User } from '../../services/ports.js';
import { endSession, startSession } from '../../services/portal/sessions.js';
import { send } from './forms.js';
import { html, messagePage, type Html } from './layout.js';

/**
 * Sign-in with OpenID Connect (the SPID/CIE gateway): the authorization-code flow with PKCE, state and
 * nonce, done by `openid-client`. `/accedi/oidc` sends the browser to the provider; the provider sends it
 * back to `/accedi/oidc/ritorno`, where the code is exchanged, the ID token checked and the identity
 * mapped to a registered user (see `identityOf` for the claims read). Only registered, active users get
 * a session; nobody is created here.
 */

export interface OidcOptions {
  /** The provider's issuer identifier (metadata at `<issuer>/.well-known/openid-configuration`). */
  issuerUrl: string;
  clientId: string;
  /** Absent: a public client (PKCE only, no client authentication). */
  clientSecret?: string | undefined;
  /** Space-separated, `openid` among them. */
  scopes: string;
  /** Where the provider sends the browser back: this service's `/accedi/oidc/ritorno`. */
  redirectUrl: string;
}

export interface OidcPagesOptions {
  deps: ServiceDeps;
  oidc: OidcOptions;
  /** Whether cookies set for this request can be Secure (as the session cookie). */
  secureCookies: (request: FastifyRequest) => boolean;
  /** Sets the portal's session cookie (the one the demo sign-in sets). */
  setSessionCookie: (request: FastifyRequest, reply: FastifyReply, token: string) => void;
  /** A return address on this site only. */
  safeReturnPath: (value: string | undefined) => string;
}

/** The flow in progress (state, nonce, PKCE verifier, where to go after): a short-lived cookie. */
const FLOW_COOKIE = 'gara_oidc';
const FLOW_MINUTES = 10;
/** Seconds before a call to the provider (discovery, token, userinfo) is given up. */
const PROVIDER_TIMEOUT_S = 10;

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  after: string;
}

/** What the provider asserted about the person, as far as this service uses it. */
export interface Identity {
  subject: string;
  /** Personal fiscal code, upper case, without the `TINIT-` prefix (compared as is with the registry's). */
  fiscalCode: string | undefined;
  /** Only when the provider says it is verified (`email_verified: true`). */
  verifiedEmail: string | undefined;
}

/** Claims that carry the fiscal code: SPID/CIE gateways' names first, then the AgID attribute URIs. */
const FISCAL_CODE_CLAIMS = [
  'fiscal_number',
  'fiscalNumber',
  'https://attributes.eid.gov.it/fiscal_number',
  'https://attributes.spid.gov.it/fiscalNumber',
] as const;

/**
 * The identity in the (ID token and userinfo) claims: the fiscal code from the first of
 * `FISCAL_CODE_CLAIMS` present ("TINIT-RSSMRA80A01H501U" → "RSSMRA80A01H501U"), and `email` when
 * `email_verified` is true (a gateway that does not say so gives no e-mail to match on).
 */
export function identityOf(claims: Record<string, unknown>): Identity {
  let fiscalCode: string | undefined;
  for (const name of FISCAL_CODE_CLAIMS) {
    const value = claims[name];
    if (typeof value !== 'string' || value.trim() === '') continue;
    fiscalCode = value
      .trim()
      .toUpperCase()
      .replace(/^TINIT-/, '');
    break;
  }
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  const email =
    verified && typeof claims.email === 'string' && claims.email.includes('@')
      ? claims.email.trim()
      : undefined;
  return { subject: String(claims.sub), fiscalCode, verifiedEmail: email };
}

type Match = { user: User; by: 'fiscal_code' | 'email' } | { refused: 'unknown' | 'ambiguous' | 'inactive' };

/**
 * The registered user of an identity: by fiscal code (exactly one active user with it), otherwise by
 * verified e-mail, but never a user registered with a different fiscal code from the one asserted. Two
 * active users with the same fiscal code (one person, two profiles) are refused: there is no chooser yet.
 */
async function matchUser(deps: Pick<ServiceDeps, 'store'>, identity: Identity): Promise<Match> {
  const byFiscalCode: User[] = [];
  const byEmail: User[] = [];
  const email = identity.verifiedEmail?.toLowerCase();
  if (identity.fiscalCode === undefined && email === undefined) return { refused: 'unknown' };
  for (const user of await deps.store.registry.findUsersByIdentity({
    fiscalCode: identity.fiscalCode,
    email,
  })) {
    if (identity.fiscalCode !== undefined && user.fiscalCode === identity.fiscalCode) byFiscalCode.push(user);
    if (email !== undefined && user.email.toLowerCase() === email) byEmail.push(user);
  }
  const chosen = (users: User[], by: 'fiscal_code' | 'email'): Match => {
    const active = users.filter((user) => user.active);
    if (active.length > 1) return { refused: 'ambiguous' };
    if (active[0]) return { user: active[0], by };
    return { refused: users.length > 0 ? 'inactive' : 'unknown' };
  };
  if (byFiscalCode.length > 0) return chosen(byFiscalCode, 'fiscal_code');
  return chosen(
    byEmail.filter(
      (user) =>
        user.fiscalCode === null ||
        identity.fiscalCode === undefined ||
        user.fiscalCode === identity.fiscalCode,
    ),
    'email',
  );
}

export const oidcPages: FastifyPluginAsync<OidcPagesOptions> = async (
  app,
  { deps, oidc, secureCookies, setSessionCookie, safeReturnPath },
) => {
  const issuer = new URL(oidc.issuerUrl);
  const insecure = issuer.protocol === 'http:';
  let discovered: Promise<client.Configuration> | undefined;
  /** The provider's metadata, fetched on first use and kept; a failure is not kept (the next try asks again). */
  const configuration = (): Promise<client.Configuration> => {
    if (!discovered) {
      const attempt = client
        .discovery(
          issuer,
          oidc.clientId,
          oidc.clientSecret,
          oidc.clientSecret ? client.ClientSecretBasic(oidc.clientSecret) : client.None(),
          { timeout: PROVIDER_TIMEOUT_S, ...(insecure ? { execute: [client.allowInsecureRequests] } : {}) },
        )
        .catch((error: unknown) => {
          if (discovered === attempt) discovered = undefined;
          throw error;
        });
      discovered = attempt;
    }
    return discovered;
  };

  const unavailable = (request: FastifyRequest, reply: FastifyReply, error: unknown, what: string) => {
    request.log.error({ err: error, issuer: oidc.issuerUrl }, `OpenID Connect provider: ${what} failed`);
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
    secure: secureCookies(request),
  });

  app.get<{ Querystring: { dopo?: string } }>('/accedi/oidc', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    let config: client.Configuration;
    try {
      config = await configuration();
    } catch (error) {
      return unavailable(request, reply, error, 'discovery');
    }
    const flow: Flow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      after: safeReturnPath(request.query.dopo),
    };
    const target = client.buildAuthorizationUrl(config, {
      redirect_uri: oidc.redirectUrl,
      scope: oidc.scopes,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
    });
    void reply.setCookie(FLOW_COOKIE, encodeFlow(flow), {
      ...flowCookieOptions(request),
      maxAge: FLOW_MINUTES * 60,
    });
    return reply.redirect(target.href, 303);
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
    let config: client.Configuration;
    try {
      config = await configuration();
    } catch (error) {
      return unavailable(request, reply, error, 'discovery');
    }
    // The provider's answer is in the query string; the URL it was sent to is the configured one.
    const current = new URL(oidc.redirectUrl);
    current.search = new URL(request.url, 'http://portal.invalid').search;
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new client.ClientError('no ID token in the token response');
      claims = { ...idToken };
      if (config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
        // The signed ID token wins where both carry a claim.
        claims = { ...info, ...idToken };
      }
    } catch (error) {
      if (providerUnreachable(error)) return unavailable(request, reply, error, 'code exchange');
      if (error instanceof client.AuthorizationResponseError && error.error === 'access_denied') {
        return refused(request, reply, 403, 'Accesso annullato', [
          html`L'accesso con SPID o CIE è stato annullato o negato dal fornitore di identità.`,
          again,
        ]);
      }
      request.log.warn({ err: error, issuer: oidc.issuerUrl }, 'OpenID Connect sign-in refused');
      return refused(request, reply, 400, 'Accesso non riuscito', [
        html`La risposta del fornitore di identità non è valida o è già stata usata.`,
        again,
      ]);
    }

    const identity = identityOf(claims);
    const match = await matchUser(deps, identity);
    const session =
      'user' in match
        ? await startSession(deps, { userId: match.user.id, signIn: 'oidc' }).catch((error: unknown) => {
            if (error instanceof DomainError && ['not_found', 'invalid_state'].includes(error.code))
              return undefined;
            throw error;
          })
        : undefined;
    if (!session) {
      request.log.info(
        { subject: identity.subject, refused: 'refused' in match ? match.refused : 'inactive' },
        'OpenID Connect identity not registered',
      );
      const who = identity.fiscalCode
        ? html`con codice fiscale <strong>${identity.fiscalCode}</strong>`
        : identity.verifiedEmail
          ? html`con indirizzo <strong>${identity.verifiedEmail}</strong>`
          : html`indicata dal fornitore di identità`;
      return refused(request, reply, 403, 'Identità non registrata', [
        'refused' in match && match.refused === 'ambiguous'
          ? html`L'identità ${who} corrisponde a più profili di questo servizio: non è possibile scegliere con
            quale entrare.`
          : html`L'identità ${who} non corrisponde a un utente abilitato di questo servizio.`,
        html`Per essere abilitato rivolgiti all'amministrazione di riferimento (la sezione regionale
        dell'Osservatorio o l'Autorità).`,
      ]);
    }
    if (request.portal.token) await endSession(deps, request.portal.token);
    setSessionCookie(request, reply, session.token);
    request.log.info(
      { userId: session.user.id, by: 'user' in match ? match.by : undefined },
      'portal sign-in with OpenID Connect',
    );
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

/** The provider did not answer (network, timeout, a 5xx) as opposed to answering something invalid. */
function providerUnreachable(error: unknown): boolean {
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  if (!(error instanceof client.ClientError)) return false;
  if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT') return true;
  return error.cause instanceof Response && error.cause.status >= 500;
}
