import type { Clock } from '../domain/shared/clock.js';
import { DomainError } from '../domain/shared/errors.js';
import type { OrdinalAllocator } from './cig/ordinal-allocator.js';
import type {
  CreditorConfig,
  PaForNodeCodec,
  PaymentDocuments,
  PaymentNode,
  ReportingFlowReader,
} from './payments/ports.js';
import type { LetterRenderer, PecReceiptReader, SegnaturaSigner } from './notices/ports.js';
import type { Actor, UserActor } from '../domain/registry/actor.js';
import type { AuditEntry, Store } from './ports.js';
import type { Role } from '../domain/registry/registry.js';
import type { SimogWiring } from './simog/simog-session.js';
import type { CertificateSigner } from './certificates/ports.js';

export { actorFromUser, systemActor } from '../domain/registry/actor.js';
export type { Actor, UserActor } from '../domain/registry/actor.js';

export interface IdGenerator {
  uuid(): string;
}

export const randomIds: IdGenerator = { uuid: () => crypto.randomUUID() };

/** Everything a service may use. Services take the slice they need (Pick<ServiceDeps, ...>). */
export interface ServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  cigOrdinals: OrdinalAllocator;
  smartCigOrdinals: OrdinalAllocator;
  /** The Authority's pagoPA creditor parameters. */
  creditor: CreditorConfig;
  documents: PaymentDocuments;
  /** The pagoPA node to pay through from inside the service: the sandbox, or null in production. */
  paymentNode: PaymentNode | null;
  /** Transmission letters and daily registers (PDF). */
  letters: LetterRenderer;
  /** The AgID segnatura of protocol registrations, signed with the AOO's key. */
  segnatura: SegnaturaSigner;
  /** Reads PEC receipts, checking their S/MIME signature against the trusted PEC providers. */
  pecReceipts: PecReceiptReader;
  /** The SOAP codec of the creditor's paForNode interface (the node's requests, our answers). */
  paForNode: PaForNodeCodec;
  /** Reads pagoPA reporting flows (FlussoRiversamento XML). */
  reportingFlows: ReportingFlowReader;
  /** Signs and verifies downtime certificates with gara's key (the segnatura's pair). */
  certificates: CertificateSigner;
  /** The SIMOG web service interface (storage, sessions, SOAP codec); absent = /simog not served. */
  simogInterface?: SimogWiring | undefined;
}

export function requireRole(actor: Actor, ...allowed: Role[]): UserActor {
  if (actor.kind !== 'user' || !allowed.includes(actor.role)) {
    throw new DomainError('forbidden', `this action needs one of the roles: ${allowed.join(', ')}`);
  }
  return actor;
}

/** RUPs act only for their own contracting authority; staff and administrators see everything. */
export function canSeeAuthority(actor: Actor, contractingAuthorityId: string, sectionCode?: string): boolean {
  if (actor.kind === 'system') return true;
  switch (actor.role) {
    case 'admin':
    case 'authority_staff':
      return true;
    case 'regional_staff':
      return sectionCode !== undefined && sectionCode === actor.regionalSectionCode;
    case 'rup':
      return actor.contractingAuthorityId === contractingAuthorityId;
    case 'economic_operator':
      return false;
  }
}

export function audit(
  actor: Actor,
  at: Date,
  action: string,
  entity: { type: string; id: string },
  before: unknown,
  after: unknown,
): AuditEntry {
  return {
    occurredAt: at,
    actorUserId: actor.kind === 'user' ? actor.userId : null,
    actor: actor.kind === 'user' ? `${actor.role}:${actor.name}` : `system:${actor.job}`,
    action,
    entityType: entity.type,
    entityId: entity.id,
    before: before ?? null,
    after: after ?? null,
    requestId: actor.kind === 'user' ? (actor.requestId ?? null) : null,
  };
}
