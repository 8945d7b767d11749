import * as client from 'openid-client';
import type { Claims, IdentityProvider, ProviderFailure, ProviderFlow } from '../../services/portal/ports.js';

/** An OpenID Connect provider (the SPID/CIE gateway) the portal signs in with. */
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

/** Seconds before a call to the provider (discovery, token, userinfo) is given up. */
const PROVIDER_TIMEOUT_S = 10;

/**
 * The authorization-code flow with PKCE, state and nonce, done by `openid-client`. The provider's
 * metadata is fetched on first use and kept; a failed discovery is not kept (the next sign-in asks again).
 */
export function createOpenIdProvider(oidc: OidcOptions): IdentityProvider {
  const issuer = new URL(oidc.issuerUrl);
  const insecure = issuer.protocol === 'http:';
  let discovered: Promise<client.Configuration> | undefined;
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
  const discover = async (): Promise<client.Configuration | ProviderFailure> => {
    try {
      return await configuration();
    } catch (error) {
      return { failed: 'unreachable', stage: 'discovery', error };
    }
  };

  return {
    issuer: oidc.issuerUrl,

    async begin() {
      const config = await discover();
      if (!(config instanceof client.Configuration)) return config;
      const flow: ProviderFlow = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
      };
      const target = client.buildAuthorizationUrl(config, {
        redirect_uri: oidc.redirectUrl,
        scope: oidc.scopes,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
      });
      return { url: target.href, flow };
    },

    async complete(callbackSearch, flow) {
      const config = await discover();
      if (!(config instanceof client.Configuration)) return config;
      // The provider's answer is in the query string; the URL it was sent to is the configured one.
      const current = new URL(oidc.redirectUrl);
      current.search = callbackSearch;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const idToken = tokens.claims();
        if (!idToken) throw new client.ClientError('no ID token in the token response');
        let claims: Claims = { ...idToken };
        if (config.serverMetadata().userinfo_endpoint) {
          const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
          // The signed ID token wins where both carry a claim.
          claims = { ...info, ...idToken };
        }
        return { claims };
      } catch (error) {
        if (providerUnreachable(error)) return { failed: 'unreachable', stage: 'code exchange', error };
        if (error instanceof client.AuthorizationResponseError && error.error === 'access_denied')
          return { failed: 'denied', error };
        return { failed: 'invalid', error };
      }
    },
  };
}

/** The provider did not answer (network, timeout, a 5xx) as opposed to answering something invalid. */
function providerUnreachable(error: unknown): boolean {
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  if (!(error instanceof client.ClientError)) return false;
  if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT') return true;
  return error.cause instanceof Response && error.cause.status >= 500;
}
