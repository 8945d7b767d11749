import type { Store, User } from '../ports.js';

/** A SIMOG session: who opened it (with which API token), until when. */
export interface SimogSession {
  user: User;
  /** The fiscal code given to loginRPNT, if the session was opened with it. */
  cfRup: string | null;
  expiresAt: Date;
}

/** What inserisciGara received: the tender number reserved for it, and the GaraType attributes as sent. */
export interface SimogTender {
  tenderNumber: number;
  /** The gara tender, created with the first lot (null before). */
  tenderId: string | null;
  contractingAuthorityId: string;
  rupUserId: string;
  object: string;
  amountCents: number;
  attributes: Record<string, string>;
  categories: string[];
  perfectedAt: Date | null;
  createdAt: Date;
}

/** The LottoType data gara's lots do not hold (ID_CATEGORIA_PREVALENTE, IMPORTO_SA, ...), CUPs, publication. */
export interface SimogLot {
  cig: string;
  attributes: Record<string, string>;
  cup: { cig?: string | undefined; codes: Record<string, string>[] } | null;
  publication: Record<string, string> | null;
}

/** Storage of the SIMOG interface (tables simog_tickets, simog_tenders, simog_lots). */
export interface SimogRepository {
  insertTicket(ticket: {
    ticketSha256: string;
    apiTokenSha256: string;
    userId: string;
    cfRup: string | null;
    issuedAt: Date;
    expiresAt: Date;
  }): Promise<void>;
  /** The session of a ticket that is not expired nor revoked, whose API token and user are still valid. */
  findSession(ticketSha256: string, now: Date): Promise<SimogSession | undefined>;
  revokeTicket(ticketSha256: string, at: Date): Promise<boolean>;
  insertTender(tender: Omit<SimogTender, 'tenderId' | 'perfectedAt'>): Promise<void>;
  findTender(tenderNumber: number): Promise<SimogTender | undefined>;
  lockTender(tenderNumber: number): Promise<SimogTender | undefined>;
  updateTender(
    tenderNumber: number,
    changes: Partial<
      Pick<SimogTender, 'tenderId' | 'object' | 'amountCents' | 'attributes' | 'categories' | 'perfectedAt'>
    >,
    at: Date,
  ): Promise<void>;
  findLots(cigs: string[]): Promise<SimogLot[]>;
  saveLot(lot: SimogLot, at: Date): Promise<void>;
}

/** Runs work in one transaction over gara's Store and the SIMOG repository together. */
export interface SimogUnitOfWork {
  /** Outside any transaction. */
  readonly simog: SimogRepository;
  transaction<T>(work: (tx: { store: Store; simog: SimogRepository }) => Promise<T>): Promise<T>;
}
