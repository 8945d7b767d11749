import { DomainError } from '../../domain/shared/errors.js';
import { openSession, type OpenedSession } from './open-session.js';
import type { SimogCall, SimogDeps } from './simog-session.js';

/** loginRPNT: login stating the RUP's fiscal code (`cfrup`), which must be the user's own. */
export async function loginRpnt(
  deps: Pick<SimogDeps, 'store' | 'clock' | 'simog' | 'sessions'>,
  input: { login?: string | undefined; password?: string | undefined; cfrup?: string | undefined },
  call: SimogCall,
): Promise<OpenedSession> {
  if (!input.cfrup) throw new DomainError('validation_failed', 'cfrup: obbligatorio', { field: 'cfrup' });
  return openSession(deps, { login: input.login, password: input.password, cfRup: input.cfrup }, call);
}
