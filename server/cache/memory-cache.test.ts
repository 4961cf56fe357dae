import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheEntry } from './cache.js';
import { MemoryCache } from './memory-cache.js';

/** Memory-only behaviour: the injected clock, LRU order and the byte bound under random sizes. */

function entry(bytes: number, value: unknown = 'v'): CacheEntry {
  return { value, storedAt: 0, freshUntil: 1, staleUntil: 2, bytes };
}

describe('MemoryCache', () => {
  it('expires entries and locks by the injected clock', async () => {
    let now = 1_000;
    const cache = new MemoryCache({ maxBytes: 10_000, now: () => now });
    await cache.set('k', entry(10), 500);
    await cache.tryLock('lock', 200);
    now += 199;
    expect(await cache.get('k')).toBeDefined();
    expect(await cache.tryLock('lock', 200)).toBeUndefined();
    now += 1;
    expect(await cache.tryLock('lock', 200)).toBeDefined();
    now += 300;
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.entries).toBe(0);
  });

  it('evicts the least recently used entry first', async () => {
    const cache = new MemoryCache({ maxBytes: 300 });
    await cache.set('a', entry(90), 60_000);
    await cache.set('b', entry(90), 60_000);
    await cache.set('c', entry(90), 60_000);
    await cache.get('a'); // now b is the least recently used
    await cache.set('d', entry(90), 60_000);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBeDefined();
    expect(cache.evictions).toBe(1);
  });

  it('honours a per-entry cap below the whole budget', async () => {
    const cache = new MemoryCache({ maxBytes: 10_000, maxEntryBytes: 1_000 });
    expect(await cache.set('small', entry(900), 60_000)).toBe('stored');
    expect(await cache.set('big', entry(1_500), 60_000)).toBe('too-large');
  });

  it('rejects nonsense sizes and TTLs instead of corrupting its accounting', async () => {
    const cache = new MemoryCache({ maxBytes: 1_000 });
    await expect(cache.set('k', entry(Number.NaN), 1_000)).rejects.toThrow(TypeError);
    await expect(cache.set('k', entry(-5), 1_000)).rejects.toThrow(TypeError);
    await expect(cache.set('k', entry(5), Number.POSITIVE_INFINITY)).rejects.toThrow(TypeError);
    expect(() => new MemoryCache({ maxBytes: 0 })).toThrow(TypeError);
  });

  it('property: bytes held never exceed the budget, whatever is set, read and deleted', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(30), bytes: fc.nat(5_000) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.nat(30) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat(30) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4_000 }),
        fc.array(op, { maxLength: 200 }),
        async (budget, ops) => {
          const cache = new MemoryCache({ maxBytes: budget });
          for (const o of ops) {
            if (o.kind === 'set') await cache.set(`k${o.key}`, entry(o.bytes), 60_000);
            else if (o.kind === 'get') await cache.get(`k${o.key}`);
            else await cache.delete(`k${o.key}`);
            if (cache.bytes > budget) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('wakes pending waiters on close', async () => {
    const cache = new MemoryCache({ maxBytes: 1_000 });
    await cache.tryLock('job', 60_000);
    const wait = cache.waitForSignal('job', 60_000);
    await cache.close();
    expect(await wait).toBe(true);
  });
});
