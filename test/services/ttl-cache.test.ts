import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/services/cig/ttl-cache.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('TtlCache', () => {
  it('serves an entry until its TTL, counted from when the load started', async () => {
    let now = 1000;
    const cache = new TtlCache<string>(100, 10, () => now);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.get('k', load)).toBe('v1');
    now = 1099;
    expect(await cache.get('k', load)).toBe('v1');
    now = 1100;
    expect(await cache.get('k', load)).toBe('v2');
  });

  it('concurrent misses of one key share one load; other keys load on their own', async () => {
    const cache = new TtlCache<string>(1000);
    const gate = deferred<string>();
    let loads = 0;
    const load = () => {
      loads += 1;
      return gate.promise;
    };
    const a = cache.get('k', load);
    const b = cache.get('k', load);
    const other = cache.get('j', async () => 'other');
    gate.resolve('value');
    expect(await Promise.all([a, b, other])).toEqual(['value', 'value', 'other']);
    expect(loads).toBe(1);
    expect(await cache.get('k', load)).toBe('value');
    expect(loads).toBe(1);
  });

  it('a load under way when its key is dropped answers its callers but is not kept', async () => {
    const cache = new TtlCache<string>(1000);
    const stale = deferred<string>();
    const first = cache.get('k', () => stale.promise);
    cache.delete('k');
    const second = cache.get('k', async () => 'fresh');
    stale.resolve('stale');
    expect(await first).toBe('stale');
    expect(await second).toBe('fresh');
    expect(await cache.get('k', async () => 'again')).toBe('fresh');

    const cleared = deferred<string>();
    const during = cache.get('x', () => cleared.promise);
    cache.clear();
    cleared.resolve('old');
    expect(await during).toBe('old');
    expect(await cache.get('x', async () => 'new')).toBe('new');
  });

  it('a failed load is shared by its waiters and not kept', async () => {
    const cache = new TtlCache<string>(1000);
    const gate = deferred<string>();
    const a = cache.get('k', () => gate.promise);
    const b = cache.get('k', async () => 'unused');
    gate.reject(new Error('down'));
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    expect(await cache.get('k', async () => 'later')).toBe('later');
  });

  it('ttl 0 loads every time', async () => {
    const cache = new TtlCache<number>(0);
    let loads = 0;
    await cache.get('k', async () => ++loads);
    await cache.get('k', async () => ++loads);
    expect(loads).toBe(2);
  });
});
