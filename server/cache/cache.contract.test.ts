import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { asLockToken, silentLogger, type Cache, type CacheEntry } from './cache.js';
import { jsonBytes } from './json-size.js';
import { MemoryCache } from './memory-cache.js';
import { RedisCache } from './redis-cache.js';
import { DEFAULT_TEST_REDIS_URL, redisTestGate } from './redis-test-gate.js';

/**
 * The one contract every Cache implementation meets (ENGINEERING.md §6): the same tests against the
 * memory cache and the Redis cache. Times are real and short (tens of ms) because Redis keeps its own
 * clock; the memory cache's injectable clock is exercised in memory-cache.test.ts.
 */

const redisUrl = process.env.TRELLIS_TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL;
const gate = await redisTestGate(redisUrl, process.env.CI === 'true', 'the Redis cache contract suite');

/** Per-entry budget both implementations are built with (memory: the whole LRU; Redis: per value). */
const BUDGET = 16 * 1024;

interface Subject {
  readonly name: string;
  readonly available: boolean;
  /** A cache with the given budget. */
  make(budget?: number): Promise<Cache>;
  /** A second client on the same store, as another instance would have (memory: the same object). */
  peer(cache: Cache): Promise<Cache>;
}

const opened: Cache[] = [];
const namespaces: string[] = [];

const memory: Subject = {
  name: 'memory',
  available: true,
  make: async (budget = BUDGET) => track(new MemoryCache({ maxBytes: budget, pollIntervalMs: 20 })),
  peer: async (cache) => cache,
};

const redis: Subject = {
  name: 'redis',
  available: gate.run,
  make: async (budget = BUDGET) => {
    const namespace = `test-${randomUUID()}`;
    namespaces.push(namespace);
    return openRedis(namespace, budget);
  },
  peer: async (cache) => openRedis(namespaceOf(cache), BUDGET),
};

const namespaceByCache = new WeakMap<Cache, string>();
function namespaceOf(cache: Cache): string {
  const ns = namespaceByCache.get(cache);
  if (!ns) throw new Error('not a Redis cache from this suite');
  return ns;
}

async function openRedis(namespace: string, budget: number): Promise<Cache> {
  const cache = new RedisCache({
    url: redisUrl,
    namespace,
    maxValueBytes: budget,
    logger: silentLogger,
    pollIntervalMs: 20,
  });
  await cache.ready();
  namespaceByCache.set(cache, namespace);
  return track(cache);
}

function track(cache: Cache): Cache {
  opened.push(cache);
  return cache;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  if (!gate.run || namespaces.length === 0) return;
  const admin = new Redis(redisUrl);
  for (const ns of namespaces) {
    const keys = await admin.keys(`trellis:${ns}:*`);
    if (keys.length > 0) await admin.del(...keys);
  }
  await admin.quit();
});

if (!gate.run && gate.fail) {
  describe('Redis cache contract', () => {
    it('needs a reachable Redis under CI', () => {
      throw new Error(gate.reason);
    });
  });
}

function entry(value: unknown, at = Date.now(), ttl = 60_000): CacheEntry {
  return { value, storedAt: at, freshUntil: at + ttl, staleUntil: at + 2 * ttl, bytes: jsonBytes(value) };
}

const rows = {
  columns: ['status', 'n'],
  rows: [
    ['RECRUITING', 3],
    ['COMPLETED', 1.5],
    [null, 0],
    ['é ✓', -1],
  ],
};

for (const subject of [memory, redis]) {
  describe.skipIf(!subject.available)(`Cache contract: ${subject.name}`, () => {
    describe('entries', () => {
      it('misses a key never set', async () => {
        const cache = await subject.make();
        expect(await cache.get('absent')).toBeUndefined();
      });

      it('returns what was set, values and times intact', async () => {
        const cache = await subject.make();
        const e = entry(rows);
        expect(await cache.set('k', e, 10_000)).toBe('stored');
        expect(await cache.get('k')).toEqual(e);
      });

      it('overwrites, keeps keys apart, and deletes', async () => {
        const cache = await subject.make();
        await cache.set('a', entry('first'), 10_000);
        await cache.set('a', entry('second'), 10_000);
        await cache.set('b', entry('other'), 10_000);
        expect((await cache.get('a'))?.value).toBe('second');
        await cache.delete('a');
        await cache.delete('never-set');
        expect(await cache.get('a')).toBeUndefined();
        expect((await cache.get('b'))?.value).toBe('other');
      });

      it('forgets an entry after its TTL', async () => {
        const cache = await subject.make();
        await cache.set('short', entry(1), 60);
        await cache.set('long', entry(2), 10_000);
        expect((await cache.get('short'))?.value).toBe(1);
        await sleep(150);
        expect(await cache.get('short')).toBeUndefined();
        expect((await cache.get('long'))?.value).toBe(2);
      });

      it('refuses an entry larger than the budget, keeping the previous one', async () => {
        const cache = await subject.make();
        await cache.set('k', entry('small'), 10_000);
        const huge = entry('x'.repeat(BUDGET * 2));
        expect(await cache.set('k', huge, 10_000)).toBe('too-large');
        expect(await cache.set('fresh-key', huge, 10_000)).toBe('too-large');
        expect((await cache.get('k'))?.value).toBe('small');
        expect(await cache.get('fresh-key')).toBeUndefined();
      });
    });

    describe('locks', () => {
      it('are exclusive, also between concurrent takers and between instances', async () => {
        const cache = await subject.make();
        const other = await subject.peer(cache);
        const tokens = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? other : cache).tryLock('job', 10_000)),
        );
        expect(tokens.filter((t) => t !== undefined)).toHaveLength(1);
        expect(await cache.tryLock('another-key', 10_000)).toBeDefined();
      });

      it('expire, so a holder that died blocks others only for the TTL', async () => {
        const cache = await subject.make();
        // The TTL leaves room for a loaded machine between the first two calls; the wait outlasts it.
        expect(await cache.tryLock('job', 1_000)).toBeDefined();
        expect(await cache.tryLock('job', 1_000)).toBeUndefined();
        await sleep(1_300);
        expect(await cache.tryLock('job', 1_000)).toBeDefined();
      });

      it('are released only by their owner', async () => {
        const cache = await subject.make();
        const token = await cache.tryLock('job', 10_000);
        expect(token).toBeDefined();
        if (!token) return;
        expect(await cache.unlock('job', asLockToken('not-the-owner'))).toBe(false);
        expect(await cache.tryLock('job', 10_000)).toBeUndefined();
        expect(await cache.unlock('job', token)).toBe(true);
        expect(await cache.tryLock('job', 10_000)).toBeDefined();
      });

      it('an owner whose lock expired cannot release the next holder’s lock', async () => {
        const cache = await subject.make();
        const late = await cache.tryLock('job', 50);
        await sleep(120);
        const current = await cache.tryLock('job', 10_000);
        expect(late && current).toBeTruthy();
        if (!late) return;
        expect(await cache.unlock('job', late)).toBe(false);
        expect(await cache.tryLock('job', 10_000)).toBeUndefined();
      });
    });

    describe('signals', () => {
      it('wake every waiter, in this and other instances', async () => {
        const cache = await subject.make();
        const other = await subject.peer(cache);
        await cache.tryLock('job', 10_000);
        const started = performance.now();
        const waits = [cache, cache, other, other].map((c) => c.waitForSignal('job', 5_000));
        await sleep(50); // let the subscriptions settle; a signal sent before them is covered by polling
        await cache.signal('job');
        expect(await Promise.all(waits)).toEqual([true, true, true, true]);
        expect(performance.now() - started).toBeLessThan(2_000);
      });

      it('time out with false while the lock is held and nobody signals', async () => {
        const cache = await subject.make();
        await cache.tryLock('job', 10_000);
        const started = performance.now();
        expect(await cache.waitForSignal('job', 100)).toBe(false);
        expect(performance.now() - started).toBeGreaterThanOrEqual(90);
      });

      it('return at once when no lock is held (the work already finished)', async () => {
        const cache = await subject.make();
        const started = performance.now();
        expect(await cache.waitForSignal('job', 5_000)).toBe(true);
        expect(performance.now() - started).toBeLessThan(1_000);
      });

      it('wake waiters when the lock is released or expires, even with no signal sent', async () => {
        const cache = await subject.make();
        const token = await cache.tryLock('released', 10_000);
        await cache.tryLock('expiring', 100);
        const released = cache.waitForSignal('released', 5_000);
        const expired = cache.waitForSignal('expiring', 5_000);
        if (token) await cache.unlock('released', token);
        expect(await released).toBe(true);
        expect(await expired).toBe(true);
      });
    });

    describe('dataset versions', () => {
      it('start at 0, increment by one, per dataset, seen by other instances', async () => {
        const cache = await subject.make();
        const other = await subject.peer(cache);
        expect(await cache.getVersion('studies')).toBe(0);
        expect(await cache.bumpVersion('studies')).toBe(1);
        expect(await other.bumpVersion('studies')).toBe(2);
        expect(await cache.getVersion('studies')).toBe(2);
        expect(await other.getVersion('studies')).toBe(2);
        expect(await cache.getVersion('sites')).toBe(0);
      });

      it('announce every bump to listeners, in this and other instances', async () => {
        const cache = await subject.make();
        const other = await subject.peer(cache);
        const seen: string[] = [];
        const heard = new Promise<void>((resolve) => {
          const off = other.onVersionBump((dataset, version) => {
            seen.push(`${dataset}@${version}`);
            if (seen.length === 2) {
              off();
              resolve();
            }
          });
        });
        await cache.bumpVersion('studies');
        await cache.bumpVersion('sites');
        await heard;
        expect(seen).toEqual(['studies@1', 'sites@1']);
        await cache.bumpVersion('studies'); // after off(): nobody listens, nothing breaks
        expect(seen).toHaveLength(2);
      });

      it('bump atomically under concurrency', async () => {
        const cache = await subject.make();
        const results = await Promise.all(Array.from({ length: 50 }, () => cache.bumpVersion('d')));
        expect(new Set(results).size).toBe(50);
        expect(await cache.getVersion('d')).toBe(50);
      });
    });
  });
}

describe('Cache contract: memory byte budget', () => {
  // Redis bounds its memory with its own maxmemory policy; this bound is the memory cache's job.
  it('never holds more bytes than configured, evicting least recently used entries', async () => {
    const evicted: number[] = [];
    const cache = new MemoryCache({ maxBytes: 10_000, onEvict: () => evicted.push(1) });
    let peak = 0;
    for (let i = 0; i < 200; i++) {
      const size = 100 + ((i * 7919) % 3_000);
      await cache.set(`k${i}`, entry('x'.repeat(size)), 60_000);
      peak = Math.max(peak, cache.bytes);
      expect(cache.bytes).toBeLessThanOrEqual(10_000);
    }
    expect(peak).toBeGreaterThan(5_000);
    expect(evicted.length).toBe(cache.evictions);
    expect(cache.evictions).toBeGreaterThan(150);
    expect(await cache.get('k199')).toBeDefined();
    expect(await cache.get('k0')).toBeUndefined();
  });

  it('refuses values larger than the whole budget without evicting anything', async () => {
    const cache = new MemoryCache({ maxBytes: 10_000 });
    await cache.set('kept', entry('y'.repeat(4_000)), 60_000);
    const before = cache.bytes;
    for (const size of [10_001, 20_000, 1_000_000]) {
      expect(await cache.set(`big${size}`, entry('z'.repeat(size)), 60_000)).toBe('too-large');
      expect(cache.bytes).toBe(before);
    }
    expect(cache.evictions).toBe(0);
    expect(await cache.get('kept')).toBeDefined();
  });
});
