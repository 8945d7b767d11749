import { describe, expect, it } from 'vitest';
import { OrdinalAllocator } from './ordinal-allocator.js';
import type { CodeSequences } from '../ports.js';

/** A CodeSequences whose reservations answer only when `open()` is called (a session someone holds). */
function gatedCodes(first: number) {
  let next = first;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let calls = 0;
  const codes: CodeSequences = {
    async reserveOrdinals(_series, count) {
      calls += 1;
      await gate;
      const block = Array.from({ length: count }, (_, i) => next + i);
      next += count;
      return block;
    },
    nextTenderNumber: () => Promise.reject(new Error('not used')),
  };
  return { codes, open, calls: () => calls };
}

describe('OrdinalAllocator', () => {
  it('callers on the same store share one refill', async () => {
    const outside = gatedCodes(1);
    const allocator = new OrdinalAllocator('pcp', 4);
    const all = Promise.all([1, 2, 3].map(() => allocator.next(outside.codes)));
    outside.open();
    expect((await all).sort()).toEqual([1, 2, 3]);
    expect(outside.calls()).toBe(1);
  });

  it("a caller on another store (its transaction's) does not wait for a refill started outside it", async () => {
    // PGlite has one session: the refill started outside a transaction waits for that transaction, and
    // the transaction (a tender's creation issuing its lots) waited for the refill, until the 15 s
    // timeout answered 503 to everyone (found against a running service, decision XX).
    const outside = gatedCodes(1);
    const inTransaction = gatedCodes(1000);
    inTransaction.open();
    const allocator = new OrdinalAllocator('pcp', 4);
    const waitingOutside = allocator.next(outside.codes);
    const timeout = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 500).unref());
    expect(await Promise.race([allocator.next(inTransaction.codes), timeout])).toBe(1000);
    outside.open(); // the transaction has ended: the session is free again
    const later = [
      await waitingOutside,
      await allocator.next(outside.codes),
      await allocator.next(outside.codes),
    ];
    expect(new Set([1000, ...later]).size).toBe(4);
  });
});
