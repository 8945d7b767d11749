import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { personalCheckChar } from '../../src/domain/registry/fiscal-code.js';
import type { OidcOptions } from '../../src/adapters/oidc/openid-connect.js';
import type { User } from '../../src/services/ports.js';
import { createHarness, type Harness } from '../support/harness.js';
import { engineName } from '../support/test-db.js';

/**
 * Portal sign-in with OpenID Connect against a real provider (panva's `oidc-provider`) listening on a
 * loopback port in this process. The browser is played with plain HTTP: `app.inject` for the portal,
 * `fetch` for the provider, redirects followed by hand and cookies carried in two jars.
 */

const REDIRECT_URL = 'http://localhost/accedi/oidc/ritorno';
const CONFIDENTIAL = { id: 'gara-portale', secret: 'segreto-di-prova-0123456789' };
const PUBLIC_CLIENT = 'gara-portale-pubblico';

/** The identities the provider knows: account id → claims (released with the profile and email scopes). */
const accounts = new Map<string, Record<string, unknown>>();
/** Who "logs in" at the provider's next login prompt. */
let nextLogin = '';

async function startProvider(): Promise<{ issuer: string; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CONFIDENTIAL.id,
        client_secret: CONFIDENTIAL.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [REDIRECT_URL],
      },
      { client_id: PUBLIC_CLIENT, token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT_URL] },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'prova', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['chiave-dei-cookie-di-prova'] },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'fiscal_number', 'fiscalNumber'],
      email: ['email', 'email_verified'],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => {
      const claims = accounts.get(id);
      return claims && { accountId: id, claims: () => ({ sub: id, ...claims }) };
    },
    // Consent is taken as given: the only prompt is the login.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { session, client } = ctx.oidc;
      if (!session?.accountId || !client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
    // The login page: the person "enters" as `nextLogin`.
    void provider
      .interactionDetails(req, res)
      .then(() =>
        provider.interactionFinished(
          req,
          res,
          { login: { accountId: nextLogin } },
          { mergeWithLastSubmission: false },
        ),
      )
      .catch(() => {
        res.statusCode = 500;
        res.end();
      });
  });
  return { issuer, server };
}

/** A cookie jar that ignores paths (enough for one host in a test). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(setCookies: string | string[] | undefined): void {
    for (const line of [setCookies ?? []].flat()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (value === '' || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  has(name: string): boolean {
    return this.cookies.has(name);
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

describe(`portal sign-in with OpenID Connect (${engineName()})`, () => {
  let provider: { issuer: string; server: Server };
  let h: Harness;
  let n = 0;

  const oidcOptions = (overrides: Partial<OidcOptions> = {}): OidcOptions => ({
    issuerUrl: provider.issuer,
    clientId: CONFIDENTIAL.id,
    clientSecret: CONFIDENTIAL.secret,
    scopes: 'openid profile email',
    redirectUrl: REDIRECT_URL,
    ...overrides,
  });

  beforeAll(async () => {
    provider = await startProvider();
    h = await createHarness({ oidc: oidcOptions() });
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => provider?.server.close(resolve));
  });

  /** A registered RUP with a fiscal code of their own (the factories' codes repeat). */
  async function registeredUser(
    overrides: { fiscalCode?: string | null; active?: boolean } = {},
  ): Promise<User> {
    n += 1;
    const authority = await h.factories.contractingAuthority();
    const first15 = `RSSMRA80A${String(n).padStart(2, '0')}H501`;
    const user = {
      id: h.deps.ids.uuid(),
      name: `Maria Rossi ${n}`,
      email: `maria.rossi.${n}@comune.test.example`,
      fiscalCode:
        overrides.fiscalCode === undefined ? first15 + personalCheckChar(first15) : overrides.fiscalCode,
      role: 'rup' as const,
      contractingAuthorityId: authority.id,
      economicOperatorId: null,
      regionalSectionCode: null,
      createdAt: h.clock.now(),
    };
    await h.deps.store.registry.insertUser(user);
    if (overrides.active === false)
      await h.deps.store.registry.updateUser(user.id, { active: false }, h.clock.now());
    return (await h.deps.store.registry.findUser(user.id)) as User;
  }

  /** An identity at the provider; returns its account id. */
  function identity(claims: Record<string, unknown>): string {
    const id = `sub-${accounts.size + 1}-${Math.random().toString(36).slice(2, 8)}`;
    accounts.set(id, { name: 'Persona di prova', ...claims });
    return id;
  }

  /**
   * Starts at `/accedi/oidc`, logs in at the provider as `account` and stops at the provider's redirect
   * back to the portal: returns that URL and the portal's cookies so far.
   */
  async function throughProvider(app: Harness['app'], account: string, dopo = '/area-personale') {
    const portal = new Jar();
    const idp = new Jar();
    const start = await app.inject({ url: `/accedi/oidc?dopo=${encodeURIComponent(dopo)}` });
    expect(start.statusCode, start.body).toBe(303);
    portal.take(start.headers['set-cookie']);
    let location = String(start.headers.location);
    expect(location.startsWith(`${provider.issuer}/`)).toBe(true);
    nextLogin = account;
    for (let hops = 0; location.startsWith(provider.issuer); hops++) {
      expect(hops).toBeLessThan(10);
      const res = await fetch(location, { redirect: 'manual', headers: { cookie: idp.header() } });
      expect([302, 303], `${location} answered ${res.status}`).toContain(res.status);
      idp.take(res.headers.getSetCookie());
      location = new URL(String(res.headers.get('location')), location).href;
    }
    const back = new URL(location);
    expect(back.origin + back.pathname).toBe(REDIRECT_URL);
    return { start, back, portal };
  }

  const returnTo = (app: Harness['app'], back: URL, portal: Jar) =>
    app.inject({ url: back.pathname + back.search, headers: { cookie: portal.header() } });

  const sessionRows = () => h.db.db.selectFrom('web_sessions').select(['user_id', 'sign_in']).execute();
  const signInAudits = () =>
    h.db.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'user.signed_in').execute();

  function sessionCookie(res: LightMyRequestResponse) {
    return res.cookies.find((c) => c.name === 'gara_sessione' && c.value !== '');
  }

  it('signs in by the fiscal code claim: the session cookie is HttpOnly and SameSite=Lax, the personal area shows the user', async () => {
    const user = await registeredUser();
    const account = identity({
      fiscal_number: `TINIT-${user.fiscalCode!.toLowerCase()}`,
      email: 'altro.indirizzo@example.org',
      email_verified: true,
    });
    const { start, back, portal } = await throughProvider(h.app, account, '/area-personale/gare');

    // The flow's state, nonce and PKCE verifier travel in a short-lived cookie scoped to /accedi.
    const flowCookie = start.cookies.find((c) => c.name === 'gara_oidc');
    expect(flowCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/accedi', secure: true });
    const authorize = new URL(String(start.headers.location));
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('scope')).toBe('openid profile email');

    const done = await returnTo(h.app, back, portal);
    expect(done.statusCode, done.body).toBe(303);
    expect(done.headers.location).toBe('/area-personale/gare');
    const cookie = sessionCookie(done);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: true });
    const setCookie = [done.headers['set-cookie']].flat().join('\n');
    expect(setCookie).toMatch(/gara_sessione=[^;]+;.*HttpOnly/i);
    expect(setCookie).toMatch(/gara_sessione=[^;]+;.*SameSite=Lax/i);

    const area = await h.app.inject({
      url: '/area-personale',
      headers: { cookie: `gara_sessione=${cookie!.value}` },
    });
    expect(area.statusCode).toBe(200);
    expect(area.body).toContain(`Hai effettuato l'accesso come <strong>${user.name}</strong>`);
    expect(await sessionRows()).toContainEqual({ user_id: user.id, sign_in: 'oidc' });

    // The provider's answer is good once: the same code again is refused and starts no session.
    const before = (await sessionRows()).length;
    portal.take(start.headers['set-cookie']);
    const replay = await returnTo(h.app, back, portal);
    expect(replay.statusCode).toBe(400);
    expect(sessionCookie(replay)).toBeUndefined();
    expect((await sessionRows()).length).toBe(before);
  });

  it('signs in by verified e-mail when the identity carries no fiscal code; an unverified e-mail is not enough', async () => {
    const user = await registeredUser({ fiscalCode: null });
    const verified = await throughProvider(
      h.app,
      identity({ email: user.email.toUpperCase(), email_verified: true }),
    );
    const done = await returnTo(h.app, verified.back, verified.portal);
    expect(done.statusCode, done.body).toBe(303);
    expect(done.headers.location).toBe('/area-personale');
    expect(sessionCookie(done)).toBeDefined();
    expect(await sessionRows()).toContainEqual({ user_id: user.id, sign_in: 'oidc' });

    const other = await registeredUser({ fiscalCode: null });
    const before = await sessionRows();
    const unverified = await throughProvider(h.app, identity({ email: other.email, email_verified: false }));
    const refused = await returnTo(h.app, unverified.back, unverified.portal);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Identità non registrata');
    expect(await sessionRows()).toEqual(before);
  });

  it('refuses a tampered or missing state, and the callback without its flow cookie, writing nothing', async () => {
    const user = await registeredUser();
    const { back, portal } = await throughProvider(
      h.app,
      identity({ fiscal_number: `TINIT-${user.fiscalCode}` }),
    );
    const sessionsBefore = await sessionRows();
    const auditsBefore = await signInAudits();

    const tampered = new URL(back);
    tampered.searchParams.set('state', `${back.searchParams.get('state')}x`);
    const missing = new URL(back);
    missing.searchParams.delete('state');
    for (const url of [tampered, missing]) {
      const res = await returnTo(h.app, url, portal);
      expect(res.statusCode, url.search).toBe(400);
      expect(res.body).toContain('Accesso non riuscito');
      expect(sessionCookie(res)).toBeUndefined();
    }
    const noFlow = await h.app.inject({ url: back.pathname + back.search });
    expect(noFlow.statusCode).toBe(400);
    expect(noFlow.body).toContain('La richiesta di accesso è scaduta');
    expect(sessionCookie(noFlow)).toBeUndefined();
    expect(await sessionRows()).toEqual(sessionsBefore);
    expect(await signInAudits()).toEqual(auditsBefore);

    // The refusals were about the state: the untouched answer, with its cookie, still signs in.
    const good = await returnTo(h.app, back, portal);
    expect(good.statusCode, good.body).toBe(303);
    expect(await sessionRows()).toContainEqual({ user_id: user.id, sign_in: 'oidc' });
  });

  it('an identity that matches no active user gets the Italian refusal and no session', async () => {
    const inactive = await registeredUser({ active: false });
    const cases = [
      identity({
        fiscal_number: 'TINIT-BNCGNN70B02F205X',
        email: 'nessuno@example.org',
        email_verified: true,
      }),
      identity({ fiscal_number: `TINIT-${inactive.fiscalCode}` }),
      identity({}),
    ];
    const sessionsBefore = await sessionRows();
    const auditsBefore = await signInAudits();
    for (const account of cases) {
      const { back, portal } = await throughProvider(h.app, account);
      const res = await returnTo(h.app, back, portal);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('Identità non registrata');
      expect(res.body).toContain('non corrisponde a un utente abilitato di questo servizio');
      expect(sessionCookie(res)).toBeUndefined();
    }
    expect(await sessionRows()).toEqual(sessionsBefore);
    expect(await signInAudits()).toEqual(auditsBefore);
  });

  it('refuses a fiscal code shared by two active profiles rather than pick one', async () => {
    const first = await registeredUser();
    const second = await registeredUser({ fiscalCode: first.fiscalCode });
    expect(second.fiscalCode).toBe(first.fiscalCode);
    const before = await sessionRows();
    const { back, portal } = await throughProvider(
      h.app,
      identity({ fiscal_number: `TINIT-${first.fiscalCode}` }),
    );
    const res = await returnTo(h.app, back, portal);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('corrisponde a più profili');
    expect(await sessionRows()).toEqual(before);
  });

  it('keeps the return address on this site', async () => {
    const user = await registeredUser();
    const { back, portal } = await throughProvider(
      h.app,
      identity({ fiscal_number: user.fiscalCode }),
      '//evil.example/phish',
    );
    const done = await returnTo(h.app, back, portal);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/area-personale');
  });

  it('the sign-in page offers "Entra con SPID o CIE" (and the demo users too when the demo sign-in is on)', async () => {
    const only = await h.app.inject({ url: '/accedi?dopo=/area-personale/gare' });
    expect(only.statusCode).toBe(200);
    expect(only.body).toContain('href="/accedi/oidc?dopo=%2Farea-personale%2Fgare"');
    expect(only.body).toContain('Entra con SPID o CIE');
    expect(only.body).not.toContain('Accesso dimostrativo');

    const both = await createHarness({ demoSignIn: true, oidc: oidcOptions() });
    try {
      const { user } = await both.factories.rup();
      const res = await both.app.inject({ url: '/accedi' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Entra con SPID o CIE');
      expect(res.body).toContain('Accesso dimostrativo');
      expect(res.body).toMatch(/Accedi come Utente rup/);
      // The demo sign-in still sets the same session cookie.
      const csrf = res.cookies.find((c) => c.name === 'gara_csrf_accesso')!.value;
      const demo = await both.app.inject({
        method: 'POST',
        url: '/accedi',
        headers: { cookie: `gara_csrf_accesso=${csrf}` },
        payload: { csrf, utente: user.id, dopo: '/area-personale' },
      });
      expect(demo.statusCode, demo.body).toBe(303);
      expect(sessionCookie(demo)).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: true });
    } finally {
      await both.close();
    }
  });

  it('a public client (no secret) signs in with PKCE alone; an unreachable provider gets the Italian 503 page', async () => {
    const other = await createHarness({
      oidc: oidcOptions({ clientId: PUBLIC_CLIENT, clientSecret: undefined }),
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadIssuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const down = await createHarness({ oidc: oidcOptions({ issuerUrl: deadIssuer }) });
    try {
      n += 1;
      const authority = await other.factories.contractingAuthority();
      const first15 = `VRDLGU75C${String(n).padStart(2, '0')}F205`;
      const user = {
        id: other.deps.ids.uuid(),
        name: 'Luigi Verdi',
        email: `luigi.verdi.${n}@comune.test.example`,
        fiscalCode: first15 + personalCheckChar(first15),
        role: 'rup' as const,
        contractingAuthorityId: authority.id,
        economicOperatorId: null,
        regionalSectionCode: null,
        createdAt: other.clock.now(),
      };
      await other.deps.store.registry.insertUser(user);
      const { back, portal } = await throughProvider(
        other.app,
        identity({ fiscalNumber: `TINIT-${user.fiscalCode}` }),
      );
      const done = await returnTo(other.app, back, portal);
      expect(done.statusCode, done.body).toBe(303);
      const cookie = sessionCookie(done);
      const area = await other.app.inject({
        url: '/area-personale',
        headers: { cookie: `gara_sessione=${cookie?.value}` },
      });
      expect(area.body).toContain('<strong>Luigi Verdi</strong>');

      const unavailable = await down.app.inject({ url: '/accedi/oidc' });
      expect(unavailable.statusCode).toBe(503);
      expect(unavailable.body).toContain('Accesso con SPID o CIE non disponibile');
      expect(unavailable.headers['retry-after']).toBeDefined();
      // Still answering afterwards (the failure is not kept, nothing crashed).
      expect((await down.app.inject({ url: '/accedi/oidc' })).statusCode).toBe(503);
      expect((await down.app.inject({ url: '/' })).statusCode).toBe(200);
    } finally {
      await other.close();
      await down.close();
    }
  });
});

describe('OpenID Connect configuration', () => {
  const env = { OIDC_ISSUER_URL: 'https://id.example.gov.it', OIDC_CLIENT_ID: 'gara' };

  it('is off when nothing is set, and defaults the scopes and the return URL from PUBLIC_URL', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    expect(loadConfig({ ...env, PUBLIC_URL: 'https://gara.example.gov.it/' }).oidc).toEqual({
      issuerUrl: 'https://id.example.gov.it',
      clientId: 'gara',
      clientSecret: undefined,
      scopes: 'openid profile email',
      redirectUrl: 'https://gara.example.gov.it/accedi/oidc/ritorno',
    });
    expect(loadConfig({ ...env, OIDC_CLIENT_SECRET: 's3cret', PORT: '8080' }).oidc).toMatchObject({
      clientSecret: 's3cret',
      redirectUrl: 'http://127.0.0.1:8080/accedi/oidc/ritorno',
    });
  });

  it.each([
    [{ OIDC_CLIENT_ID: 'gara' }, 'OIDC_ISSUER_URL'],
    [{ OIDC_ISSUER_URL: 'https://id.example.gov.it' }, 'OIDC_CLIENT_ID'],
    [{ OIDC_CLIENT_SECRET: 'x' }, 'OIDC_ISSUER_URL'],
    [{ ...env, OIDC_ISSUER_URL: 'http://id.example.gov.it' }, 'OIDC_ISSUER_URL'],
    [{ ...env, OIDC_ISSUER_URL: 'not a url' }, 'OIDC_ISSUER_URL'],
    [{ ...env, OIDC_CLIENT_ID: 'with space' }, 'OIDC_CLIENT_ID'],
    [{ ...env, OIDC_SCOPES: 'profile email' }, 'OIDC_SCOPES'],
    [{ ...env, OIDC_REDIRECT_URL: 'https://gara.example.gov.it/altrove' }, 'OIDC_REDIRECT_URL'],
    [{ ...env, HOST: '0.0.0.0' }, 'OIDC_REDIRECT_URL'],
    [{ ...env, PUBLIC_URL: 'http://gara.example.gov.it' }, 'OIDC_REDIRECT_URL'],
  ])('%o is refused naming %s', (given, variable) => {
    let error: unknown;
    try {
      loadConfig(given);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
  });

  it('accepts http only for a provider on a loopback host', () => {
    expect(loadConfig({ ...env, OIDC_ISSUER_URL: 'http://127.0.0.1:9000' }).oidc?.issuerUrl).toBe(
      'http://127.0.0.1:9000',
    );
    expect(loadConfig({ ...env, OIDC_ISSUER_URL: 'http://localhost:9000/realms/spid' }).oidc?.issuerUrl).toBe(
      'http://localhost:9000/realms/spid',
    );
  });
});
