/**
 * What the portal's sign-in needs from an OpenID Connect provider (the SPID/CIE gateway): the adapter
 * (`adapters/oidc/openid-connect.ts`, over `openid-client`) does the authorization-code flow with PKCE,
 * state and nonce and checks the ID token; the services decide who the person is.
 */

/** What the provider asserted: the ID token's claims, with userinfo's where the ID token has none. */
export type Claims = Record<string, unknown>;

/** A sign-in in progress: what the browser keeps (in a short-lived cookie) until the provider sends it back. */
export interface ProviderFlow {
  state: string;
  nonce: string;
  /** The PKCE code verifier. */
  verifier: string;
}

/**
 * Why the provider gave no identity: it did not answer (network, timeout, a 5xx) during `stage`; the
 * person cancelled or was refused (`access_denied`); or its answer was invalid or already used.
 */
export type ProviderFailure =
  | { failed: 'unreachable'; stage: 'discovery' | 'code exchange'; error: unknown }
  | { failed: 'denied'; error: unknown }
  | { failed: 'invalid'; error: unknown };

export interface IdentityProvider {
  /** The provider's issuer identifier (for the logs). */
  readonly issuer: string;
  /** Starts a sign-in: the provider's address to send the browser to, and the flow to keep. */
  begin(): Promise<{ url: string; flow: ProviderFlow } | ProviderFailure>;
  /**
   * Completes it: exchanges the code in `callbackSearch` (the query string the provider sent the browser
   * back with) for the checked ID token, and reads userinfo when the provider has it.
   */
  complete(callbackSearch: string, flow: ProviderFlow): Promise<{ claims: Claims } | ProviderFailure>;
}
