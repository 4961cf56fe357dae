import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TrellisError } from '../errors.js';
import { CacheUnavailableError, type Cache, type CacheLogger } from './cache.js';
import { cacheKey, SHARED_TENANT, type CacheKeyParts } from './cache-key.js';
import type { CacheMetricsHooks, CacheResult } from './cache-metrics.js';
import { CachedQueries, type CachedQueryRequest, type CachedQueryResult } from './cached-query.js';
import { CircuitBreakers } from '../resilience/circuit-breaker.js';
import { freshnessPolicy, type FreshnessPolicy } from './freshness.js';
import { jsonBytes } from './json-size.js';
import { MemoryCache } from './memory-cache.js';
import { RedisCache } from './redis-cache.js';
import { DEFAULT_TEST_REDIS_URL, redisTestGate } from '../../test/redis-test-gate.js';

const redisUrl = process.env.TRELLIS_TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL;
const gate = await redisTestGate(
  redisUrl,
  process.env.CI === 'true',
  'the cross-instance cached-query tests',
);

const SHORT = freshnessPolicy('short') as FreshnessPolicy;
const parts: Omit<CacheKeyParts, 'datasetVersion'> = {
  source: 'warehouse',
  sql: 'SELECT status, count(*) FROM studies WHERE phase = $1 GROUP BY 1',
  params: ['PHASE2'],
  tenant: SHARED_TENANT,
  dataset: 'studies',
};
const rows = [['RECRUITING', 3]];

const toClose: Cache[] = [];
const namespaces: string[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c.close()));
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
  describe('cached query across instances', () => {
    it('needs a reachable Redis under CI', () => {
      throw new Error(gate.reason);
    });
  });
}

function recorder() {
  const results: CacheResult[] = [];
  const counts = { eviction: 0, refused: 0, refreshFailed: 0, degraded: [] as string[] };
  const logs: { level: string; message: string }[] = [];
  const metrics: CacheMetricsHooks = {
    request: (r) => results.push(r),
    eviction: () => counts.eviction++,
    degraded: (op) => counts.degraded.push(op),
    refused: () => counts.refused++,
    refreshFailed: () => counts.refreshFailed++,
  };
  const log =
    (level: string) =>
    (_details: Record<string, unknown>, message: string): void => {
      logs.push({ level, message });
    };
  const logger: CacheLogger = {
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    debug: log('debug'),
  };
  const tally = () => results.reduce<Record<string, number>>((t, r) => ({ ...t, [r]: (t[r] ?? 0) + 1 }), {});
  return { results, counts, logs, metrics, logger, tally };
}

function memoryCache(now?: () => number): MemoryCache {
  const cache = new MemoryCache({ maxBytes: 1_000_000, pollIntervalMs: 10, ...(now ? { now } : {}) });
  toClose.push(cache);
  return cache;
}

async function redisCache(namespace: string): Promise<RedisCache> {
  const cache = new RedisCache({
    url: redisUrl,
    namespace,
    maxValueBytes: 1_000_000,
    logger: recorder().logger,
    pollIntervalMs: 20,
  });
  toClose.push(cache);
  await cache.ready();
  return cache;
}

function newNamespace(): string {
  const ns = `test-${randomUUID()}`;
  namespaces.push(ns);
  return ns;
}

/** A query that counts its executions and can be held open. */
function query<T>(value: T, delayMs = 20) {
  const state = { executions: 0, signals: [] as AbortSignal[] };
  const execute = async (signal: AbortSignal): Promise<T> => {
    state.executions++;
    state.signals.push(signal);
    await sleep(delayMs);
    if (signal.aborted) throw new TrellisError('QUERY_CANCELLED');
    return value;
  };
  return { state, execute };
}

function request<T>(
  execute: (signal: AbortSignal) => Promise<T>,
  extra: Partial<CachedQueryRequest<T>> = {},
) {
  return {
    key: parts,
    freshness: SHORT,
    execute,
    sizeOf: jsonBytes,
    ...extra,
  } satisfies CachedQueryRequest<T>;
}

const sourceDown = () =>
  Promise.reject(new TrellisError('SOURCE_UNAVAILABLE', { detail: { source: 'warehouse' } }));

describe('CachedQueries in one process', () => {
  it('misses, then hits without executing again', async () => {
    const rec = recorder();
    const cq = new CachedQueries({
      cache: memoryCache(),
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
    });
    const q = query(rows);
    const first = await cq.run(request(q.execute));
    const second = await cq.run(request(q.execute));
    expect(first).toMatchObject({ value: rows, result: 'miss', stale: false });
    expect(second).toEqual({ value: rows, result: 'hit', stale: false, storedAt: first.storedAt });
    expect(q.state.executions).toBe(1);
    expect(rec.results).toEqual(['miss', 'hit']);
  });

  it('500 concurrent identical cold requests execute the query exactly once', async () => {
    const rec = recorder();
    const cq = new CachedQueries({
      cache: memoryCache(),
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
    });
    const q = query(rows, 50);
    const results = await Promise.all(Array.from({ length: 500 }, () => cq.run(request(q.execute))));
    expect(q.state.executions).toBe(1);
    expect(results.every((r) => r.value === rows)).toBe(true);
    expect(rec.tally()).toEqual({ miss: 1, coalesced: 499 });
    expect(cq.inFlight).toBe(0);
  });

  it('different keys do not share an execution; a version bump moves to a new key', async () => {
    const cache = memoryCache();
    const cq = new CachedQueries({ cache, logger: recorder().logger, lockTtlMs: 5_000 });
    const q = query(rows);
    await Promise.all([
      cq.run(request(q.execute)),
      cq.run(request(q.execute, { key: { ...parts, params: ['PHASE3'] } })),
      cq.run(request(q.execute, { key: { ...parts, tenant: 'acme' } })),
    ]);
    expect(q.state.executions).toBe(3);
    expect((await cq.run(request(q.execute))).result).toBe('hit');
    await cache.bumpVersion('studies');
    expect((await cq.run(request(q.execute))).result).toBe('miss');
    expect(q.state.executions).toBe(4);
  });

  it('does not cache live datasets', async () => {
    const rec = recorder();
    const cq = new CachedQueries({
      cache: memoryCache(),
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
    });
    const q = query(rows);
    await cq.run(request(q.execute, { freshness: freshnessPolicy('live') }));
    await cq.run(request(q.execute, { freshness: freshnessPolicy('live') }));
    expect(q.state.executions).toBe(2);
    expect(rec.results).toEqual([]);
  });

  it('stale-while-revalidate: serves the stale value at once and refreshes once in the background', async () => {
    let now = 1_000_000;
    const rec = recorder();
    const cq = new CachedQueries({
      cache: memoryCache(() => now),
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
      now: () => now,
    });
    const old = await cq.run(request(query('old').execute));
    now += SHORT.ttlMs + 1; // past freshness, within grace
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let executions = 0;
    const refresh = async () => {
      executions++;
      await held; // the refresh cannot finish until the stale answers are all in
      return 'new';
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => cq.run(request(refresh))));
    expect(results.every((r) => r.value === 'old' && r.result === 'stale' && !r.stale)).toBe(true);
    expect(results[0]?.storedAt).toBe(old.storedAt);
    await sleep(20); // the refresh takes its lock and starts after the stale answers went out
    expect(executions).toBe(1);
    expect(cq.inFlight).toBe(1);
    expect((await cq.run(request(refresh))).result).toBe('stale'); // still refreshing: no second run
    expect(executions).toBe(1);
    release();
    while (cq.inFlight > 0) await sleep(5);
    expect(await cq.run(request(refresh))).toMatchObject({ value: 'new', result: 'hit' });
    expect(executions).toBe(1);
    expect(rec.tally()).toEqual({ miss: 1, stale: 101, hit: 1 });
  });

  it('a failed background refresh is counted and logged, and the stale entry keeps being served', async () => {
    let now = 1_000_000;
    const rec = recorder();
    const cq = new CachedQueries({
      cache: memoryCache(() => now),
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
      now: () => now,
    });
    await cq.run(request(query('old').execute));
    now += SHORT.ttlMs + 1;
    expect((await cq.run(request(sourceDown))).value).toBe('old');
    await sleep(10);
    expect(rec.counts.refreshFailed).toBe(1);
    expect(
      rec.logs.some((l) => l.level === 'debug' && l.message.includes('background cache refresh failed')),
    ).toBe(true);
    expect((await cq.run(request(sourceDown))).value).toBe('old');
  });

  it('a background refresh that fails for another reason than the source is a warning', async () => {
    let now = 1_000_000;
    const rec = recorder();
    const cq = new CachedQueries({
      cache: memoryCache(() => now),
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
      now: () => now,
    });
    await cq.run(request(query('old').execute));
    now += SHORT.ttlMs + 1;
    await cq.run(request(() => Promise.reject(new TrellisError('QUERY_FAILED'))));
    await sleep(10);
    expect(rec.counts.refreshFailed).toBe(1);
    expect(rec.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'background cache refresh failed; the stale entry stays until its grace ends',
    ]);
  });

  it('source down with a stored entry past its grace: serves it marked stale with its time', async () => {
    let now = 1_000_000;
    const rec = recorder();
    const cq = new CachedQueries({
      cache: memoryCache(() => now),
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
      now: () => now,
    });
    const first = await cq.run(request(query(rows).execute));
    now += 3 * 3_600_000; // hours later: far past freshness and grace, within stale-if-error
    const results = await Promise.all(Array.from({ length: 20 }, () => cq.run(request(sourceDown))));
    for (const r of results)
      expect(r).toEqual({ value: rows, result: 'stale', stale: true, storedAt: first.storedAt });
    expect(rec.logs.some((l) => l.message.includes('serving the cached result marked stale'))).toBe(true);
  });

  it('source down and nothing cached: the error reaches every caller', async () => {
    const cq = new CachedQueries({ cache: memoryCache(), logger: recorder().logger, lockTtlMs: 5_000 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => cq.run(request(sourceDown))));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      if (r.status === 'rejected') expect((r.reason as TrellisError).code).toBe('SOURCE_UNAVAILABLE');
    }
  });

  it('other errors are never masked by a stale entry', async () => {
    let now = 1_000_000;
    const cq = new CachedQueries({
      cache: memoryCache(() => now),
      logger: recorder().logger,
      lockTtlMs: 5_000,
      now: () => now,
    });
    await cq.run(request(query(rows).execute));
    now += 3 * 3_600_000;
    const failed = () => Promise.reject(new TrellisError('QUERY_FAILED'));
    await expect(cq.run(request(failed))).rejects.toMatchObject({ code: 'QUERY_FAILED' });
  });

  it('with a circuit breaker: an open circuit serves stale without touching the source, and recovers', async () => {
    let now = 1_000_000;
    const breakers = new CircuitBreakers({ failureThreshold: 2, coolDownMs: 10_000, now: () => now });
    const cq = new CachedQueries({
      cache: memoryCache(() => now),
      logger: recorder().logger,
      lockTtlMs: 5_000,
      now: () => now,
    });
    await cq.run(request(query(rows).execute));
    now += 3 * 3_600_000;
    let calls = 0;
    const flaky = { up: false };
    const execute = () =>
      breakers.execute('warehouse', () => {
        calls++;
        return flaky.up ? Promise.resolve([['COMPLETED', 9]]) : sourceDown();
      });
    for (let i = 0; i < 5; i++) expect((await cq.run(request(execute))).stale).toBe(true);
    expect(calls).toBe(2);
    flaky.up = true;
    now += 10_000;
    expect(await cq.run(request(execute))).toMatchObject({
      value: [['COMPLETED', 9]],
      result: 'miss',
      stale: false,
    });
  });

  it('a request that goes away stops waiting; when all have gone the shared query is aborted', async () => {
    const cq = new CachedQueries({ cache: memoryCache(), logger: recorder().logger, lockTtlMs: 5_000 });
    const q = query(rows, 100);
    const a = new AbortController();
    const b = new AbortController();
    const ra = cq.run(request(q.execute, { signal: a.signal }));
    const rb = cq.run(request(q.execute, { signal: b.signal }));
    await sleep(20);
    a.abort();
    await expect(ra).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    expect(q.state.signals[0]?.aborted).toBe(false); // b still waits
    b.abort();
    await expect(rb).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    expect(q.state.signals[0]?.aborted).toBe(true);
    expect(cq.inFlight).toBe(0);
    expect((await cq.run(request(q.execute))).result).toBe('miss'); // a later request starts afresh
    expect(q.state.executions).toBe(2);
  });

  it('results over the entry budget are returned but not stored, and counted', async () => {
    const rec = recorder();
    const cache = new MemoryCache({ maxBytes: 100 });
    toClose.push(cache);
    const cq = new CachedQueries({ cache, logger: rec.logger, metrics: rec.metrics, lockTtlMs: 5_000 });
    const big = 'x'.repeat(1_000);
    const q = query(big);
    expect((await cq.run(request(q.execute))).value).toBe(big);
    expect((await cq.run(request(q.execute))).result).toBe('miss');
    expect(rec.counts.refused).toBe(2);
  });

  it('a cache that fails degrades to no cache: answers, still one execution per process, logged once', async () => {
    const rec = recorder();
    const failing = failingCache();
    const cq = new CachedQueries({
      cache: failing,
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
    });
    const q = query(rows, 30);
    const results = await Promise.all(Array.from({ length: 50 }, () => cq.run(request(q.execute))));
    expect(results.every((r) => r.value === rows)).toBe(true);
    expect(q.state.executions).toBe(1);
    expect(rec.counts.degraded.length).toBeGreaterThanOrEqual(50);
    expect(rec.logs.filter((l) => l.level === 'warn')).toHaveLength(1);
  });
});

describe('CachedQueries: an owner that dies', () => {
  it('memory: a waiter takes over once the dead owner’s lock expires', () => ownerDies(memoryCache()));
  it.skipIf(!gate.run)('redis: a waiter takes over once the dead owner’s lock expires', async () =>
    ownerDies(await redisCache(newNamespace())),
  );

  async function ownerDies(cache: Cache): Promise<void> {
    const key = cacheKey({ ...parts, datasetVersion: 0 });
    expect(await cache.tryLock(key, 300)).toBeDefined(); // an instance that took the lock and died
    const rec = recorder();
    const cq = new CachedQueries({ cache, logger: rec.logger, metrics: rec.metrics, lockTtlMs: 300 });
    const q = query(rows);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => cq.run(request(q.execute))));
    const elapsed = performance.now() - started;
    expect(q.state.executions).toBe(1);
    expect(results.every((r) => r.value === rows)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  }
});

describe.skipIf(!gate.run)('CachedQueries across instances sharing Redis', () => {
  it('2 instances × 250 concurrent identical cold requests → exactly 1 execution in total', async () => {
    const ns = newNamespace();
    const [cacheA, cacheB] = await Promise.all([redisCache(ns), redisCache(ns)]);
    const rec = recorder();
    const a = new CachedQueries({
      cache: cacheA,
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
    });
    const b = new CachedQueries({
      cache: cacheB,
      logger: rec.logger,
      metrics: rec.metrics,
      lockTtlMs: 5_000,
    });
    let executions = 0;
    const execute = async () => {
      executions++;
      await sleep(100);
      return rows;
    };
    const all = await Promise.all([
      ...Array.from({ length: 250 }, () => a.run(request(execute))),
      ...Array.from({ length: 250 }, () => b.run(request(execute))),
    ]);
    expect(executions).toBe(1);
    expect(all.every((r) => JSON.stringify(r.value) === JSON.stringify(rows))).toBe(true);
    expect(rec.tally()).toEqual({ miss: 1, coalesced: 499 });
  });

  it('when the executing instance fails, the other does not hang and gets its own answer', async () => {
    const ns = newNamespace();
    const [cacheA, cacheB] = await Promise.all([redisCache(ns), redisCache(ns)]);
    const a = new CachedQueries({ cache: cacheA, logger: recorder().logger, lockTtlMs: 5_000 });
    const b = new CachedQueries({ cache: cacheB, logger: recorder().logger, lockTtlMs: 5_000 });
    const started = performance.now();
    const failing = async () => {
      await sleep(50);
      throw new TrellisError('SOURCE_UNAVAILABLE');
    };
    const [ra, rb] = await Promise.allSettled([a.run(request(failing)), b.run(request(failing))]);
    expect(ra.status).toBe('rejected');
    expect(rb.status).toBe('rejected');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('a version bump by one instance invalidates for the other at once', async () => {
    const ns = newNamespace();
    const [cacheA, cacheB] = await Promise.all([redisCache(ns), redisCache(ns)]);
    const a = new CachedQueries({ cache: cacheA, logger: recorder().logger, lockTtlMs: 5_000 });
    const b = new CachedQueries({ cache: cacheB, logger: recorder().logger, lockTtlMs: 5_000 });
    await a.run(request(query('v0').execute));
    expect(await b.run(request(query('v1').execute))).toMatchObject({ value: 'v0', result: 'hit' });
    await cacheA.bumpVersion('studies');
    expect(await b.run(request(query('v1').execute))).toMatchObject({ value: 'v1', result: 'miss' });
  });
});

describe('CachedQueries with Redis down', () => {
  it('answers every request uncached, quickly, without throwing cache errors', async () => {
    const rec = recorder();
    const cache = new RedisCache({
      url: 'redis://127.0.0.1:1', // nothing listens here
      namespace: 'unreachable',
      maxValueBytes: 1_000_000,
      logger: rec.logger,
    });
    toClose.push(cache);
    const cq = new CachedQueries({ cache, logger: rec.logger, metrics: rec.metrics, lockTtlMs: 5_000 });
    const q = query(rows, 20);
    const started = performance.now();
    const results: CachedQueryResult<unknown>[] = await Promise.all(
      Array.from({ length: 20 }, () => cq.run(request(q.execute))),
    );
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(results.every((r) => r.value === rows)).toBe(true);
    expect(q.state.executions).toBe(1);
    expect(rec.counts.degraded).toContain('getVersion');
  });
});

/** Every operation fails as Redis would while down. */
function failingCache(): Cache {
  const fail = (op: string) => () => Promise.reject(new CacheUnavailableError(op));
  return {
    kind: 'redis',
    bytes: undefined,
    get: fail('get'),
    set: fail('set'),
    delete: fail('delete'),
    tryLock: fail('tryLock'),
    unlock: fail('unlock'),
    waitForSignal: fail('waitForSignal'),
    signal: fail('signal'),
    getVersion: fail('getVersion'),
    bumpVersion: fail('bumpVersion'),
    onVersionBump: () => () => undefined,
    close: () => Promise.resolve(),
  };
}
