import { openSession, type OpenedSession } from './open-session.js';
import type { SimogCall, SimogDeps } from './simog-session.js';

/** login: a ticket for a gara user's e-mail and API token, with their collaborations (indexCollaborazione). */
export const login = (
  deps: Pick<SimogDeps, 'store' | 'clock' | 'simog' | 'sessions'>,
  input: { login?: string | undefined; password?: string | undefined },
  call: SimogCall,
): Promise<OpenedSession> => openSession(deps, { login: input.login, password: input.password }, call);
