/**
 * What the registry use cases need from storage, one repository per aggregate (adapters/db implements
 * them; today one adapter object serves every slice, with the same SQL as before).
 */
import type {
  ContractingAuthority,
  ContractingAuthorityChanges,
  CostCentre,
  EconomicOperator,
  NewContractingAuthority,
  NewEconomicOperator,
  NewUser,
  Page,
  PageRequest,
  RegionalSection,
  Role,
  User,
  UserChanges,
} from '../ports.js';

export interface SectionRepository {
  listSections(): Promise<RegionalSection[]>;
  findSection(code: string): Promise<RegionalSection | undefined>;
  findSectionByAoo(aooCode: string): Promise<RegionalSection | undefined>;
  /** Writes the reference data of a section; its letterhead (kept by the administrator) is left as it is. */
  upsertSection(
    section: Omit<RegionalSection, 'createdAt' | 'updatedAt' | 'letterheadOffices' | 'website'>,
    at: Date,
  ): Promise<void>;
  updateSection(
    code: string,
    changes: {
      name?: string;
      pec?: string;
      aooCode?: string;
      city?: string;
      letterheadOffices?: string[];
      website?: string | null;
    },
    at: Date,
  ): Promise<void>;
}

export interface ContractingAuthorityRepository {
  insertContractingAuthority(ca: NewContractingAuthority): Promise<void>;
  updateContractingAuthority(id: string, changes: ContractingAuthorityChanges, at: Date): Promise<void>;
  findContractingAuthority(id: string): Promise<ContractingAuthority | undefined>;
  findContractingAuthorityByFiscalCode(fiscalCode: string): Promise<ContractingAuthority | undefined>;
  listContractingAuthorities(
    filter: PageRequest & { regionalSectionCode?: string | undefined; q?: string | undefined },
  ): Promise<Page<ContractingAuthority>>;
  insertCostCentre(caId: string, centre: CostCentre, at: Date): Promise<void>;
}

export interface EconomicOperatorRepository {
  insertEconomicOperator(oe: NewEconomicOperator): Promise<void>;
  updateEconomicOperator(
    id: string,
    changes: { name?: string; pec?: string | null },
    at: Date,
  ): Promise<void>;
  findEconomicOperator(id: string): Promise<EconomicOperator | undefined>;
  findEconomicOperatorByFiscalCode(fiscalCode: string): Promise<EconomicOperator | undefined>;
  listEconomicOperators(filter: PageRequest & { q?: string | undefined }): Promise<Page<EconomicOperator>>;
}

export interface UserRepository {
  insertUser(user: NewUser): Promise<void>;
  updateUser(id: string, changes: UserChanges, at: Date): Promise<void>;
  findUser(id: string): Promise<User | undefined>;
  listUsers(
    filter: PageRequest & { role?: Role | undefined; contractingAuthorityId?: string | undefined },
  ): Promise<Page<User>>;
  /** Users (active or not) with this fiscal code or, case-insensitively, this e-mail. */
  findUsersByIdentity(identity: {
    fiscalCode?: string | undefined;
    email?: string | undefined;
  }): Promise<User[]>;
}

/** The API's bearer tokens. */
export interface TokenRepository {
  insertToken(token: {
    id: string;
    userId: string;
    sha256: string;
    label: string;
    createdAt: Date;
    expiresAt: Date | null;
  }): Promise<void>;
  revokeTokens(userId: string, at: Date): Promise<number>;
  /** The active user behind an unrevoked, unexpired token, with the token's expiry. */
  findUserByToken(sha256: string, now: Date): Promise<(User & { tokenExpiresAt: Date | null }) | undefined>;
}

/** The portal's sessions. */
export interface WebSessionRepository {
  insertWebSession(session: {
    tokenSha256: string;
    userId: string;
    createdAt: Date;
    expiresAt: Date;
    signIn: 'demo' | 'oidc';
  }): Promise<void>;
  /** The active user of a session that has not ended or expired at `now`. */
  findUserByWebSession(tokenSha256: string, now: Date): Promise<User | undefined>;
  endWebSession(tokenSha256: string, at: Date): Promise<boolean>;
}

/** The whole registry: every slice above (the Store's `registry`, for callers not yet on a slice). */
export type RegistryRepository = SectionRepository &
  ContractingAuthorityRepository &
  EconomicOperatorRepository &
  UserRepository &
  TokenRepository &
  WebSessionRepository;
