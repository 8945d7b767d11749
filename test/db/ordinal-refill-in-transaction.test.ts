import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/domain/shared/clock.js';
import { OrdinalAllocator } from '../../src/services/cig/ordinal-allocator.js';
import { serviceDeps } from '../support/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

/**
 * A transaction asking for a CIG ordinal while a refill started outside it is in flight (a tender's
 * creation issuing its lots while issuances refill the block). On PGlite the refill waits for the one
 * session, which the transaction holds: waiting for that refill stalled both until the statement
 * timeout, and answered 503 (found against a running service).
 */
describe('CIG ordinals asked inside a transaction while a refill outside it is in flight', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ statementTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('the transaction gets its ordinal at once and the refill outside completes after it', async () => {
    const deps = serviceDeps(db.db, new FixedClock('2026-03-02T09:00:00Z'));
    const allocator = new OrdinalAllocator('pcp', 1); // an empty block at every call
    let go!: () => void;
    const gate = new Promise<void>((resolve) => (go = resolve));
    let began!: () => void;
    const begun = new Promise<void>((resolve) => (began = resolve));
    const inside = deps.store.transaction(async (store) => {
      await store.codes.nextTenderNumber(); // the transaction holds the session
      began();
      await gate;
      return allocator.next(store.codes);
    });
    await begun;
    const outside = allocator.next(deps.store.codes); // its refill waits for the session (PGlite)
    go();
    // before: the refill outside gave up at the statement timeout (503) and the transaction with it
    const [a, b] = await Promise.all([inside, outside]);
    expect(a).not.toBe(b);
  });
});
