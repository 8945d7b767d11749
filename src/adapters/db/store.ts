import type { Database } from './database.js';
import type { Store } from '../../services/ports.js';
import { Batcher } from '../../services/batcher.js';
import { auditRepository } from './repositories/audit-repository.js';
import { continuityRepository } from './repositories/continuity-repository.js';
import { noticeRepository } from './repositories/notice-repository.js';
import { certificateRepository } from './repositories/certificate-repository.js';
import { codeSequences } from './repositories/code-sequences.js';
import { idempotencyRepository } from './repositories/idempotency-repository.js';
import { ReferenceCache, referenceRepository } from './repositories/reference-repository.js';
import { registryRepository } from './repositories/registry-repository.js';
import { transactionScope } from './pglite-dialect.js';
import { smartCigRepository } from './repositories/smart-cig-repository.js';
import {
  groupingRepository,
  paymentRepository,
  reportingFlowRepository,
} from './repositories/payment-repository.js';
import {
  issueClaimedLots,
  lotRepository,
  tenderRepository,
  type IssueInput,
  type IssueOutput,
} from './repositories/tender-repository.js';

/** What all stores over one database share: code lists in memory, the lot-issuance batcher. */
export interface StoreShared {
  reference: ReferenceCache;
  lotIssuer: Batcher<IssueInput, IssueOutput>;
}

export function createStoreShared(
  db: Database,
  options: { maxConcurrentBatches?: number } = {},
): StoreShared {
  return {
    reference: new ReferenceCache(),
    lotIssuer: new Batcher((items) => issueClaimedLots(db, items), {
      maxBatch: 64,
      maxConcurrent: options.maxConcurrentBatches ?? 4,
      key: (item) => String(item.tenderNumber),
    }),
  };
}

/** The Store over a database or over one of its transactions. */
export function createStore(db: Database, shared: StoreShared = createStoreShared(db)): Store {
  // One adapter object serves every slice of its area (same SQL); the Store names each slice.
  const registry = registryRepository(db);
  const payments = paymentRepository(db);
  const notices = noticeRepository(db);
  const continuity = continuityRepository(db);
  const store: Store = {
    async transaction(work) {
      if (db.isTransaction) return work(store);
      return transactionScope(() => db.transaction().execute((tx) => work(createStore(tx, shared))));
    },
    tenders: tenderRepository(db),
    lots: lotRepository(db, db.isTransaction ? undefined : shared.lotIssuer),
    smartCigs: smartCigRepository(db),
    codes: codeSequences(db),
    registry,
    sections: registry,
    authorities: registry,
    operators: registry,
    users: registry,
    tokens: registry,
    webSessions: registry,
    reference: referenceRepository(db, shared.reference),
    idempotency: idempotencyRepository(db),
    audit: auditRepository(db),
    payments,
    positions: payments,
    paymentReceipts: payments,
    groupings: groupingRepository(db),
    flows: reportingFlowRepository(db),
    continuity,
    incidents: continuity,
    maintenances: continuity,
    provisionalProcedures: continuity,
    reserves: continuity,
    reminders: continuity,
    notices,
    protocol: notices,
    relays: notices,
    outbox: notices,
    pecReceipts: notices,
    subscriptions: notices,
    certificates: certificateRepository(db),
  };
  return store;
}
