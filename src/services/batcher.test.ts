import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  it('groups items submitted in the same turn, keeps keys apart, and answers each caller', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, string>(
      async (items) => {
        batches.push(items);
        return items.map((i) => `r${i}`);
      },
      { maxBatch: 3, maxConcurrent: 1, key: (i) => String(i % 10) },
    );
    const results = await Promise.all([1, 2, 11, 3, 4].map((i) => batcher.submit(i)));
    expect(results).toEqual(['r1', 'r2', 'r11', 'r3', 'r4']);
    expect(batches[0]).toEqual([1, 2, 3]); // 11 shares key "1" with 1: deferred
    expect(batches.flat().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 11]);
    for (const b of batches) expect(new Set(b.map((i) => i % 10)).size).toBe(b.length);
  });

  it('when a batch fails, retries its items one by one so only the bad one fails', async () => {
    const batcher = new Batcher<number, number>(
      async (items) => {
        if (items.includes(13)) throw new Error('bad item 13');
        return items.map((i) => i * 2);
      },
      { maxBatch: 10, maxConcurrent: 1 },
    );
    const outcomes = await Promise.allSettled([12, 13, 14].map((i) => batcher.submit(i)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[0]).toMatchObject({ value: 24 });
    expect(outcomes[1]).toMatchObject({ reason: new Error('bad item 13') });
  });

  it('never runs more batches at once than allowed', async () => {
    let running = 0;
    let peak = 0;
    const batcher = new Batcher<number, number>(
      async (items) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return items;
      },
      { maxBatch: 2, maxConcurrent: 2 },
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.submit(i)));
    expect(peak).toBe(2);
  });
});
