/**
 * What the services need from storage, declared here where it is used; adapters/db implements it.
 * Records are plain data: ids are UUID strings, money is integer cents, calendar dates are
 * 'YYYY-MM-DD', instants are Date.
 */
import type { ContractObject, Sector, TenderState } from '../domain/tenders/tender-rules.js';
import type { Role } from '../domain/registry/registry.js';
import type { Lot, SmartCig, Tender } from '../domain/tenders/tender.js';
import type {
  GroupingRepository,
  PaymentRepository,
  PositionRepository,
  PaymentReceiptRepository,
  ReportingFlowRepository,
} from './payments/ports.js';
import type {
  ContinuityRepository,
  IncidentRepository,
  MaintenanceRepository,
  ProvisionalProcedureRepository,
  ReminderRepository,
  ReserveRepository,
} from './continuity/ports.js';
import type {
  ContractingAuthorityRepository,
  EconomicOperatorRepository,
  RegistryRepository,
  SectionRepository,
  TokenRepository,
  UserRepository,
  WebSessionRepository,
} from './registry/ports.js';
import type {
  NoticeRepository,
  OutboxRepository,
  PecReceiptRepository,
  ProtocolRepository,
  RelayRepository,
  SubscriptionRepository,
} from './notices/ports.js';
import type { AuditEntry, AuditRecord } from '../domain/shared/audit.js';
import type { CertificateRepository } from './certificates/ports.js';

// The domain's nouns live in src/domain; re-exported here for the code that still imports them from here.
export { roles } from '../domain/registry/registry.js';
export type {
  ContractingAuthority,
  CostCentre,
  EconomicOperator,
  RegionalSection,
  Role,
  User,
} from '../domain/registry/registry.js';
export type { Lot, LotFacts, SmartCig, Tender } from '../domain/tenders/tender.js';
export type { AuditEntry, AuditRecord } from '../domain/shared/audit.js';

export interface Page<T> {
  items: T[];
  total: number;
}

export interface PageRequest {
  limit: number;
  offset: number;
}

export interface TenderFilter extends PageRequest {
  contractingAuthorityId?: string | undefined;
  regionalSectionCode?: string | undefined;
  state?: TenderState | undefined;
}

export interface NewTender {
  id: string;
  tenderNumber: number;
  contractingAuthorityId: string;
  costCentreId: string | null;
  rupUserId: string;
  object: string;
  procedureTypeCode: string;
  sector: Sector;
  contractObject: ContractObject;
  createdAt: Date;
}

/** What a lot carries of its tender. */
export type LotTender = Pick<
  Lot,
  | 'tenderId'
  | 'tenderNumber'
  | 'tenderState'
  | 'tenderCreatedAt'
  | 'contractingAuthorityId'
  | 'contractingAuthorityName'
  | 'contractingAuthorityFiscalCode'
  | 'regionalSectionCode'
  | 'procedureTypeCode'
>;

export interface NewLot {
  id: string;
  cig: string;
  object: string;
  amountCents: number;
  cpvCode: string;
  istatPlaceCode: string;
  acquiredAt: Date;
  perfectionDeadline: string;
  createdBy: string;
}

export interface LotPerfection {
  publicationDate: string | null;
  invitationDate: string | null;
  bidDeadline: Date;
  perfectedAt: Date;
  perfectedBy: string;
}

export interface Cancellation {
  reason: number;
  note: string | null;
  cancelledAt: Date;
  cancelledBy: string | null;
}

export interface TenderRepository {
  insert(tender: NewTender): Promise<void>;
  findByNumber(tenderNumber: number): Promise<Tender | undefined>;
  /** Locks the tender row for the rest of the transaction. */
  lockByNumber(tenderNumber: number): Promise<Tender | undefined>;
  cancel(tenderId: string, cancellation: Cancellation): Promise<boolean>;
  list(filter: TenderFilter): Promise<Page<Tender>>;
}

/**
 * An idempotency key claimed by the issuance statement itself: its row is written complete (status 201,
 * `response`) with the lot, and the lot is issued only if the key was not claimed before. The statement
 * sets `response.lotNumber`, and `response.contractingAuthorityFiscalCode` when `response` has that
 * field (the values only it knows).
 */
export interface IssuanceClaim {
  userId: string;
  key: string;
  requestSha256: string;
  at: Date;
  response: Record<string, unknown>;
}

export interface LotRepository {
  /**
   * Issues a lot in one statement: takes the next lot number of the tender (only if it is active and,
   * when `contractingAuthorityId` is given, belongs to it), inserts the lot and appends `audit` with
   * the lot and tender numbers added to its `after`. Undefined when no such active tender exists, or
   * when the `claim`'s key was claimed before (the caller then reads the key).
   */
  issue(input: {
    tenderNumber: number;
    contractingAuthorityId: string | null;
    lot: NewLot;
    audit: AuditEntry;
    claim?: IssuanceClaim;
  }): Promise<{ tender: LotTender; lotNumber: number } | undefined>;
  findByCig(cig: string): Promise<Lot | undefined>;
  /**
   * A lot by CIG with the total amount of its tender's lots not cancelled, in one statement (the public
   * lookup: the contracting authority's contribution is due on that total).
   */
  findWithTenderTotal(cig: string): Promise<{ lot: Lot; tenderTotalCents: number } | undefined>;
  lockByCig(cig: string): Promise<Lot | undefined>;
  listByTender(tenderId: string): Promise<Lot[]>;
  /** Both return false when the lot was no longer issued (someone else changed it first). */
  perfect(lotId: string, perfection: LotPerfection): Promise<boolean>;
  cancel(lotId: string, cancellation: Cancellation): Promise<boolean>;
  /** Perfected lots still open for bids at `now`, bid deadline first. */
  listOpenForBids(now: Date, limit: number): Promise<Lot[]>;
  /** Issued lots whose last perfezionamento day is before `today`, oldest first. */
  listExpired(today: string, limit: number): Promise<Lot[]>;
}

export interface NewSmartCig {
  id: string;
  cig: string;
  contractingAuthorityId: string;
  rupUserId: string;
  contractType: string;
  contractObject: ContractObject;
  procedureTypeCode: string;
  object: string;
  amountCents: number;
  cup: string | null;
  createdAt: Date;
}

export interface SmartCigRepository {
  insert(smartCig: NewSmartCig): Promise<void>;
  findByCig(cig: string): Promise<SmartCig | undefined>;
  list(filter: PageRequest & { contractingAuthorityId?: string | undefined }): Promise<Page<SmartCig>>;
}

export type CodeSeries = 'pcp' | 'smart_cig';

export interface CodeSequences {
  /** Reserves `count` fresh ordinals of a series (never handed out again, even if unused). */
  reserveOrdinals(series: CodeSeries, count: number): Promise<number[]>;
  nextTenderNumber(): Promise<number>;
}

export interface NewContractingAuthority {
  id: string;
  fiscalCode: string;
  ausaCode: string;
  name: string;
  istatPlaceCode: string;
  regionalSectionCode: string;
  pec: string;
  createdAt: Date;
}

export interface ContractingAuthorityChanges {
  name?: string;
  istatPlaceCode?: string;
  regionalSectionCode?: string;
  pec?: string;
  active?: boolean;
}

export interface NewUser {
  id: string;
  name: string;
  email: string;
  fiscalCode: string | null;
  role: Role;
  contractingAuthorityId: string | null;
  economicOperatorId: string | null;
  regionalSectionCode: string | null;
  createdAt: Date;
}

export interface UserChanges {
  name?: string;
  email?: string;
  active?: boolean;
}

export interface NewEconomicOperator {
  id: string;
  fiscalCode: string;
  vatNumber: string | null;
  name: string;
  pec: string | null;
  createdAt: Date;
}

export type { RegistryRepository };

export interface ReferenceRepository {
  procedureTypes(): Promise<
    { code: string; description: string; validFrom: string | null; validTo: string | null }[]
  >;
  urgencyReasons(): Promise<
    { code: string; description: string; validFrom: string | null; validTo: string | null }[]
  >;
  procedureTypeExists(code: string): Promise<boolean>;
  cpvExists(code: string): Promise<boolean>;
  findPlace(
    code: string,
  ): Promise<{ code: string; name: string; validFrom: string | null; validTo: string | null } | undefined>;
  searchCpv(
    q: string,
    limit: number,
  ): Promise<{ code: string; descriptionIt: string; descriptionEn: string }[]>;
  searchPlaces(
    q: string,
    limit: number,
  ): Promise<{ code: string; name: string; validFrom: string | null; validTo: string | null }[]>;
}

export interface IdempotencyRepository {
  /** Claims a key for this request; false when it was claimed before (the caller then reads it). */
  claim(userId: string, key: string, requestSha256: string, at: Date): Promise<boolean>;
  find(
    userId: string,
    key: string,
  ): Promise<{ requestSha256: string; statusCode: number | null; response: unknown } | undefined>;
  complete(userId: string, key: string, statusCode: number, response: unknown): Promise<void>;
  purgeOlderThan(before: Date): Promise<number>;
}

export interface AuditRepository {
  append(entries: AuditEntry[]): Promise<void>;
  listForEntity(entityType: string, entityId: string): Promise<AuditRecord[]>;
}

export interface Store {
  /** Runs `work` in one transaction; inside a transaction, joins it. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  readonly tenders: TenderRepository;
  readonly lots: LotRepository;
  readonly smartCigs: SmartCigRepository;
  readonly codes: CodeSequences;
  /** The whole registry, kept for services/simog and tests; services take the slice they need (below). */
  readonly registry: RegistryRepository;
  readonly sections: SectionRepository;
  readonly authorities: ContractingAuthorityRepository;
  readonly operators: EconomicOperatorRepository;
  readonly users: UserRepository;
  readonly tokens: TokenRepository;
  readonly webSessions: WebSessionRepository;
  readonly reference: ReferenceRepository;
  readonly idempotency: IdempotencyRepository;
  readonly audit: AuditRepository;
  /** Positions and receipts together, kept for tests; services take `positions` or `paymentReceipts`. */
  readonly payments: PaymentRepository;
  readonly positions: PositionRepository;
  readonly paymentReceipts: PaymentReceiptRepository;
  readonly groupings: GroupingRepository;
  readonly flows: ReportingFlowRepository;
  /** Every continuity slice together, kept for continuity's incidents/maintenance/status and tests. */
  readonly continuity: ContinuityRepository;
  readonly incidents: IncidentRepository;
  readonly maintenances: MaintenanceRepository;
  readonly provisionalProcedures: ProvisionalProcedureRepository;
  readonly reserves: ReserveRepository;
  readonly reminders: ReminderRepository;
  /**
   * The comunicati (`NoticesRepository`); typed as every notice slice together for the tests that still
   * read relays or the outbox through it. Services take the slice they need (below).
   */
  readonly notices: NoticeRepository;
  readonly protocol: ProtocolRepository;
  readonly relays: RelayRepository;
  readonly outbox: OutboxRepository;
  readonly pecReceipts: PecReceiptRepository;
  readonly subscriptions: SubscriptionRepository;
  /** Downtime certificates and the probes' evidence they quote. */
  readonly certificates: CertificateRepository;
}
