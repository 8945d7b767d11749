import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/shared/errors.js';
import { actorFromUser, type ServiceDeps, type UserActor } from '../context.js';
import type { SimogCodec, SimogUnitOfWork } from './ports.js';
import type { Tender } from '../ports.js';

/** What every SIMOG use case may use: gara's services' deps plus the SIMOG storage and sessions. */
export type SimogDeps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'cigOrdinals'> & {
  simog: SimogUnitOfWork;
  sessions: SimogSessions;
};

/** Per call: the HTTP request id (audit) and the Idempotency-Key header, if any. */
export interface SimogCall {
  requestId?: string | undefined;
  idempotencyKey?: string | undefined;
  /** Told when the call issued a new code (not when it replayed a stored answer): for the metrics. */
  onIssued?: (() => void) | undefined;
}

/** A tender's authority, procedure type and contract object: fixed when it is created. */
export type TenderFacts = Pick<Tender, 'contractingAuthorityId' | 'procedureTypeCode' | 'contractObject'>;

/** The actor of a ticket, with the user's fiscal code (CF_UTENTE). */
export type SessionActor = UserActor & { fiscalCode: string | null };

export const ticketHash = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');

/**
 * Resolves tickets to actors. A hit is cached for a short time (as API tokens are, see
 * TokenAuthenticator), never past the ticket's expiry; chiudiSessione drops it at once in this process.
 * A ticket dies with its API token: a revoked token stops its tickets within `ttlMs`.
 */
export class SimogSessions {
  readonly #cache = new Map<string, { actor: SessionActor; until: number; expiresAtMs: number }>();
  readonly #ttlMs: number;
  /** How long a ticket lives after login. */
  readonly ticketTtlMs: number;

  constructor(options: { ticketTtlMs: number; cacheTtlMs?: number }) {
    this.ticketTtlMs = options.ticketTtlMs;
    this.#ttlMs = options.cacheTtlMs ?? 10_000;
  }

  async actorOf(
    deps: Pick<SimogDeps, 'simog' | 'clock'>,
    ticket: string | undefined,
    call: SimogCall,
  ): Promise<SessionActor> {
    if (!ticket)
      throw new DomainError('unauthorized', 'ticket mancante: eseguire il login', { field: 'ticket' });
    const nowMs = Date.now();
    const now = deps.clock.now();
    const cached = this.#cache.get(ticket);
    if (cached && cached.until > nowMs && cached.expiresAtMs > now.getTime()) {
      return { ...cached.actor, requestId: call.requestId };
    }
    const session = await deps.simog.simog.findSession(ticketHash(ticket), now);
    if (!session) {
      this.#cache.delete(ticket);
      throw new DomainError(
        'unauthorized',
        'ticket non valido, scaduto o chiuso: eseguire di nuovo il login',
        {
          field: 'ticket',
        },
      );
    }
    const actor = { ...actorFromUser(session.user), fiscalCode: session.user.fiscalCode };
    if (this.#cache.size >= 10_000) this.#cache.clear();
    this.#cache.set(ticket, { actor, until: nowMs + this.#ttlMs, expiresAtMs: session.expiresAt.getTime() });
    return { ...actor, requestId: call.requestId };
  }

  /**
   * Set by the app when several processes share the database (the cache bus): a ticket closed here is
   * dropped from the other processes' caches too, as a revoked API token is.
   */
  onForget: (() => void) | undefined;

  forget(ticket: string): void {
    this.#cache.delete(ticket);
    this.onForget?.();
  }

  /** Another process revoked a token or closed a session: every cached ticket is looked up again. */
  forgetAll(): void {
    this.#cache.clear();
  }

  /** What never changes about a tender once it exists: kept so that inserisciLotto need not read it. */
  readonly #tenders = new Map<number, TenderFacts>();

  knownTender(tenderNumber: number): TenderFacts | undefined {
    return this.#tenders.get(tenderNumber);
  }

  rememberTender(tenderNumber: number, tender: TenderFacts): TenderFacts {
    const facts: TenderFacts = {
      contractingAuthorityId: tender.contractingAuthorityId,
      procedureTypeCode: tender.procedureTypeCode,
      contractObject: tender.contractObject,
    };
    if (this.#tenders.size >= 10_000) this.#tenders.clear();
    this.#tenders.set(tenderNumber, facts);
    return facts;
  }
}

/**
 * indexCollaborazione, when sent, must be the index login answered: the RUP's contracting authority
 * (gara has one collaboration per RUP).
 */
export function checkCollaboration(actor: UserActor, index: string | undefined): void {
  if (index === undefined || index === '') return;
  if (index !== actor.contractingAuthorityId) {
    throw new DomainError(
      'forbidden',
      `indexCollaborazione "${index.slice(0, 40)}" non è tra quelle del login`,
      {
        field: 'indexCollaborazione',
      },
    );
  }
}

/** How the container hands the SIMOG interface to the HTTP layer. */
export interface SimogWiring {
  uow: SimogUnitOfWork;
  sessions: SimogSessions;
  codec: SimogCodec;
}
