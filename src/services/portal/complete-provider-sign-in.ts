import { DomainError } from '../../domain/shared/errors.js';
import type { ServiceDeps } from '../context.js';
import type { User } from '../ports.js';
import type { IdentityProvider, ProviderFailure, ProviderFlow } from './ports.js';
import { identityOf, matchUser, type Identity, type Match } from './provider-identity.js';
import { startSession } from './start-session.js';

type Deps = Pick<ServiceDeps, 'store' | 'clock'> & { identityProvider: IdentityProvider };

export type ProviderSignIn =
  | ProviderFailure
  /** The provider vouched for a person who is not (or not unambiguously) an active registered user. */
  | { refused: 'unknown' | 'ambiguous' | 'inactive'; identity: Identity }
  | {
      session: { token: string; user: User; expiresAt: Date };
      identity: Identity;
      by: 'fiscal_code' | 'email';
    };

/**
 * Completes a sign-in with the OpenID Connect provider: the provider checks the answer and names the
 * person; only a registered, active user gets a session (nobody is created here).
 */
export async function completeProviderSignIn(
  deps: Deps,
  input: { callbackSearch: string; flow: ProviderFlow },
): Promise<ProviderSignIn> {
  const answer = await deps.identityProvider.complete(input.callbackSearch, input.flow);
  if ('failed' in answer) return answer;
  const identity = identityOf(answer.claims);
  const match: Match = await matchUser(deps, identity);
  if ('refused' in match) return { refused: match.refused, identity };
  const session = await startSession(deps, { userId: match.user.id, signIn: 'oidc' }).catch(
    (error: unknown) => {
      if (error instanceof DomainError && ['not_found', 'invalid_state'].includes(error.code))
        return undefined;
      throw error;
    },
  );
  // Deactivated between the match and the session.
  if (!session) return { refused: 'inactive', identity };
  return { session, identity, by: match.by };
}
