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
    now = 1070;
    expect(await cache.get('k', load)).toBe('v1');
    expect(loads).toBe(1);
    now = 1100;
    expect(await cache.get('k', load)).toBe('v2');
  });

  it('a key asked for in the last quarter of its TTL is reloaded in the background, never served stale', async () => {
    let now = 1000;
    const cache = new TtlCache<string>(100, 10, () => now);
    const reload = deferred<string>();
    expect(await cache.get('k', async () => 'v1')).toBe('v1');
    now = 1080;
    let reloads = 0;
    const again = () => {
      reloads += 1;
      return reload.promise;
    };
    // The current value answers at once while its reload runs; one reload at a time.
    expect(await cache.get('k', again)).toBe('v1');
    expect(await cache.get('k', again)).toBe('v1');
    expect(reloads).toBe(1);
    // Past its TTL the old value is not served: callers wait for the reload under way.
    now = 1100;
    const waiting = cache.get('k', again);
    reload.resolve('v2');
    expect(await waiting).toBe('v2');
    expect(reloads).toBe(1);
    // The reload's TTL counts from when it started (1080).
    now = 1179;
    expect(await cache.get('k', async () => 'v3')).toBe('v2');
    now = 1180;
    expect(await cache.get('k', async () => 'v3')).toBe('v3');
  });

  it('a failed background reload is not kept: the entry ends at its TTL', async () => {
    let now = 1000;
    const cache = new TtlCache<string>(100, 10, () => now);
    expect(await cache.get('k', async () => 'v1')).toBe('v1');
    now = 1090;
    expect(await cache.get('k', () => Promise.reject(new Error('down')))).toBe('v1');
    await Promise.resolve();
    now = 1095;
    expect(await cache.get('k', () => Promise.reject(new Error('down')))).toBe('v1');
    await Promise.resolve();
    now = 1100;
    await expect(cache.get('k', () => Promise.reject(new Error('still down')))).rejects.toThrow('still down');
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
