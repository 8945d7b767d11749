import { randomBytes } from 'node:crypto';
import { DomainError } from '../../domain/shared/errors.js';
import { actorFromUser, audit } from '../context.js';
import { hashToken } from '../registry/users.js';
import { ticketHash, type SimogCall, type SimogDeps } from './simog-session.js';

export interface Collaboration {
  azienda_codiceFiscale: string;
  azienda_denominazione: string;
  idOsservatorio: string;
  index: string;
  ufficio_profilo: string;
}

export interface OpenedSession {
  ticket: string;
  expiresAt: Date;
  collaborations: Collaboration[];
}

const refused = () =>
  new DomainError(
    'unauthorized',
    'credenziali non valide: login è l’e-mail dell’utente, password il suo token API',
  );

/**
 * login / loginRPNT: the credentials are a gara user's e-mail (`login`) and one of their API tokens
 * (`password`) — the bearer token of the REST API, nothing weaker. The ticket is random (256 bits),
 * stored hashed, lives `ticketTtlMs` (never past the token's own expiry) and dies with the token.
 */
export async function openSession(
  deps: Pick<SimogDeps, 'store' | 'clock' | 'simog' | 'sessions'>,
  input: { login?: string | undefined; password?: string | undefined; cfRup?: string | undefined },
  call: SimogCall,
): Promise<OpenedSession> {
  const now = deps.clock.now();
  const email = input.login?.trim().toLowerCase() ?? '';
  const token = input.password ?? '';
  if (email === '' || token === '') throw refused();
  const apiTokenSha256 = hashToken(token);
  const user = await deps.store.registry.findUserByToken(apiTokenSha256, now);
  if (!user || user.email.toLowerCase() !== email) throw refused();
  let cfRup: string | null = null;
  if (input.cfRup !== undefined) {
    cfRup = input.cfRup.trim().toUpperCase();
    // gara has no delegation between users: a RUP logs in for themselves.
    if (user.fiscalCode === null || cfRup !== user.fiscalCode) {
      throw new DomainError(
        'forbidden',
        'cfrup: deve essere il codice fiscale dell’utente che esegue il login',
        {
          field: 'cfrup',
        },
      );
    }
  }
  const ticket = randomBytes(32).toString('base64url');
  const ttlEnd = new Date(now.getTime() + deps.sessions.ticketTtlMs);
  const expiresAt = user.tokenExpiresAt && user.tokenExpiresAt < ttlEnd ? user.tokenExpiresAt : ttlEnd;
  const authority = user.contractingAuthorityId
    ? await deps.store.registry.findContractingAuthority(user.contractingAuthorityId)
    : undefined;
  const actor = { ...actorFromUser(user), requestId: call.requestId };
  await deps.simog.transaction(async ({ store, simog }) => {
    await simog.insertTicket({
      ticketSha256: ticketHash(ticket),
      apiTokenSha256,
      userId: user.id,
      cfRup,
      issuedAt: now,
      expiresAt,
    });
    await store.audit.append([
      audit(actor, now, 'simog.session_opened', { type: 'user', id: user.id }, null, {
        expiresAt: expiresAt.toISOString(),
        cfRup,
      }),
    ]);
  });
  return {
    ticket,
    expiresAt,
    collaborations: authority
      ? [
          {
            azienda_codiceFiscale: authority.fiscalCode,
            azienda_denominazione: authority.name,
            idOsservatorio: authority.regionalSectionCode,
            index: authority.id,
            ufficio_profilo: user.role === 'rup' ? 'RUP' : user.role,
          },
        ]
      : [],
  };
}
