import type { IdentityProvider, ProviderFailure, ProviderFlow } from './ports.js';

/** Starts a sign-in with the OpenID Connect provider: anyone may; nothing is written. */
export async function beginProviderSignIn(deps: {
  identityProvider: IdentityProvider;
}): Promise<{ url: string; flow: ProviderFlow } | ProviderFailure> {
  return deps.identityProvider.begin();
}
