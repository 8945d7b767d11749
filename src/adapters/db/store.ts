import type { Database } from './database.js';
import type { Store } from '../../services/ports.js';
import { auditRepository } from './repositories/audit-repository.js';
import { codeSequences } from './repositories/code-sequences.js';
import { idempotencyRepository } from './repositories/idempotency-repository.js';
import { referenceRepository } from './repositories/reference-repository.js';
import { registryRepository } from './repositories/registry-repository.js';
import { smartCigRepository } from './repositories/smart-cig-repository.js';
import { lotRepository, tenderRepository } from './repositories/tender-repository.js';

/** The Store over a database or over one of its transactions. */
export function createStore(db: Database): Store {
  const store: Store = {
    async transaction(work) {
      if (db.isTransaction) return work(store);
      return db.transaction().execute((tx) => work(createStore(tx)));
    },
    tenders: tenderRepository(db),
    lots: lotRepository(db),
    smartCigs: smartCigRepository(db),
    codes: codeSequences(db),
    registry: registryRepository(db),
    reference: referenceRepository(db),
    idempotency: idempotencyRepository(db),
    audit: auditRepository(db),
  };
  return store;
}
