import type { IssuanceClaim, LotRepository, Store, User } from '../ports.js';

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
  /** A reserved number cancelled before its first lot. */
  cancellation: { at: Date; reason: number; note: string | null } | null;
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
  insertTender(tender: Omit<SimogTender, 'tenderId' | 'perfectedAt' | 'cancellation'>): Promise<void>;
  findTender(tenderNumber: number): Promise<SimogTender | undefined>;
  lockTender(tenderNumber: number): Promise<SimogTender | undefined>;
  updateTender(
    tenderNumber: number,
    changes: Partial<
      Pick<
        SimogTender,
        'tenderId' | 'object' | 'amountCents' | 'attributes' | 'categories' | 'perfectedAt' | 'cancellation'
      >
    >,
    at: Date,
  ): Promise<void>;
  findLots(cigs: string[]): Promise<SimogLot[]>;
  saveLot(lot: SimogLot, at: Date): Promise<void>;
}

/**
 * inserisciLotto's issuance: gara's (LotRepository.issue's input) with the request's idempotency claim
 * and the lot's SIMOG data, written together in one statement.
 */
export type SimogLotIssue = Parameters<LotRepository['issue']>[0] & {
  /** Stored complete as the key's answer (status 201) with `lotNumber` and `contractingAuthorityFiscalCode` set. */
  claim: IssuanceClaim;
  simogLot: Pick<SimogLot, 'attributes' | 'cup'>;
};

/** Runs work in one transaction over gara's Store and the SIMOG repository together. */
export interface SimogUnitOfWork {
  /** Outside any transaction. */
  readonly simog: SimogRepository;
  /**
   * Issues the lot only if the claim's key was not claimed before (then undefined, as for a tender that
   * is not active or not of the authority): claim, lot, audit entry and simog_lots row commit together,
   * grouped with concurrent issuances.
   */
  issueLot(input: SimogLotIssue): ReturnType<LotRepository['issue']>;
  transaction<T>(work: (tx: { store: Store; simog: SimogRepository }) => Promise<T>): Promise<T>;
}

/** What a response's `return` holds: elements before `success`, the outcome, elements after `error`. */
export interface SimogAnswer {
  before?: string;
  success: boolean;
  error?: string | undefined;
  after?: string;
}

export type CupData = NonNullable<SimogLot['cup']>;

/** A parsed request: the operation and readers of its fields (data checked against the WSDL's schema). */
export interface SimogRequestFields {
  operation: string;
  /** An unqualified child element's text (`ticket`, `id_gara`, ...). */
  field(name: string): string | undefined;
  /** datiGara/DatiGara (throws DomainError naming the attribute). */
  gara(): { attributes: Record<string, string>; categories: string[] };
  /** datiLotto/Lotto. */
  lotto(): { attributes: Record<string, string>; cup?: CupData | undefined; contractTypes: string[] };
  /** datiPubblicazione/Pubblicazione, if sent. */
  pubblicazione(): Record<string, string> | undefined;
  /** The operation's own CUPLOTTO (integraCUP), if sent. */
  cupLotto(): CupData | undefined;
}

/** The SOAP codec of SimogWSPDD.wsdl (adapters/simog), as the HTTP layer uses it. */
export interface SimogCodec {
  parse(xml: string): { ok: true; request: SimogRequestFields } | { ok: false; message: string };
  /** `<{operation}Response><return>…` in the WSDL's element order. */
  response(operation: string, answer: SimogAnswer): string;
  fault(code: 'Client' | 'Server', message: string): string;
  garaXml(name: string, attributes: Record<string, string | undefined>, categories: string[]): string;
  lottoXml(attributes: Record<string, string | undefined>, cup?: CupData): string;
  cupLottoXml(cup: CupData | undefined): string;
  cigBeanXml(bean: {
    cfAmministrazione: string;
    cfStazione: string;
    cfUtente: string;
    cig: string;
    cigCicle: number;
  }): string;
  loginXml(ticket: string, collaborations: Record<string, string>[]): string;
  messaggio(text: string | undefined): string;
  /** The official WSDL with soap:address = location. */
  wsdl(location: string): string;
  /** One of the official XSD files by name, if it is one. */
  xsd(name: string): string | undefined;
  readonly operations: readonly string[];
}
