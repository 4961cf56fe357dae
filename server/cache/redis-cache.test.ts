import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CacheUnavailableError, silentLogger, type CacheLogger } from './cache.js';
import { RedisCache } from './redis-cache.js';
import { DEFAULT_TEST_REDIS_URL, redisTestGate } from '../../test/redis-test-gate.js';

/** Redis-only behaviour: failures, namespaces, corrupt entries, reconnection. The contract is elsewhere. */

const redisUrl = process.env.TRELLIS_TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL;
const gate = await redisTestGate(redisUrl, process.env.CI === 'true', 'the Redis cache tests');

const opened: RedisCache[] = [];
const namespaces: string[] = [];
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
  describe('Redis cache', () => {
    it('needs a reachable Redis under CI', () => {
      throw new Error(gate.reason);
    });
  });
}

function open(namespace: string, logger: CacheLogger = silentLogger, url = redisUrl): RedisCache {
  const cache = new RedisCache({ url, namespace, maxValueBytes: 100_000, logger, pollIntervalMs: 20 });
  opened.push(cache);
  return cache;
}

function newNamespace(): string {
  const ns = `test-${randomUUID()}`;
  namespaces.push(ns);
  return ns;
}

const entry = { value: [[1]], storedAt: 1, freshUntil: 2, staleUntil: 3, bytes: 5 };

describe('RedisCache without a server', () => {
  it('fails every operation fast with CacheUnavailableError', async () => {
    const cache = open('unreachable', silentLogger, 'redis://127.0.0.1:1');
    await expect(cache.ready(300)).rejects.toBeInstanceOf(CacheUnavailableError);
    const started = performance.now();
    const ops = [
      cache.get('k'),
      cache.set('k', entry, 1_000),
      cache.delete('k'),
      cache.tryLock('k', 1_000),
      cache.signal('k'),
      cache.getVersion('d'),
      cache.bumpVersion('d'),
    ];
    for (const result of await Promise.allSettled(ops)) {
      expect(result.status).toBe('rejected');
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(CacheUnavailableError);
    }
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses a namespace that could break out of its key prefix', () => {
    expect(() => open('a:b')).toThrow(TypeError);
    expect(() => open('')).toThrow(TypeError);
  });
});

describe.skipIf(!gate.run)('RedisCache on a server', () => {
  it('keeps namespaces apart: entries, locks and versions', async () => {
    const a = open(newNamespace());
    const b = open(newNamespace());
    await Promise.all([a.ready(), b.ready()]);
    await a.set('k', entry, 10_000);
    await a.bumpVersion('d');
    expect(await a.tryLock('l', 10_000)).toBeDefined();
    expect(await b.get('k')).toBeUndefined();
    expect(await b.getVersion('d')).toBe(0);
    expect(await b.tryLock('l', 10_000)).toBeDefined();
  });

  it('treats an unreadable entry as a miss, logs it and deletes it', async () => {
    const ns = newNamespace();
    const warnings: string[] = [];
    const cache = open(ns, { ...silentLogger, warn: (_d, m) => warnings.push(m) });
    await cache.ready();
    const admin = new Redis(redisUrl);
    await admin.set(`trellis:${ns}:e:broken`, '{not json');
    await admin.set(`trellis:${ns}:e:wrong-shape`, JSON.stringify({ value: 1, storedAt: 'yesterday' }));
    expect(await cache.get('broken')).toBeUndefined();
    expect(await cache.get('wrong-shape')).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(await admin.exists(`trellis:${ns}:e:broken`)).toBe(0);
    await admin.quit();
  });

  it('stores entries with the storage TTL as a Redis expiry', async () => {
    const ns = newNamespace();
    const cache = open(ns);
    await cache.ready();
    await cache.set('k', entry, 60_000);
    const admin = new Redis(redisUrl);
    const pttl = await admin.pttl(`trellis:${ns}:e:k`);
    await admin.quit();
    expect(pttl).toBeGreaterThan(59_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it('recovers by itself after its connection is killed', async () => {
    const ns = newNamespace();
    const cache = open(ns);
    await cache.ready();
    await cache.set('k', entry, 60_000);
    const admin = new Redis(redisUrl);
    const clients = (await admin.client('LIST')) as string;
    const ids = clients
      .split('\n')
      .filter((line) => line.includes(`name=trellis-cache-${ns} `))
      .map((line) => /id=(\d+)/.exec(line)?.[1]);
    expect(ids).toHaveLength(1);
    await admin.client('KILL', 'ID', String(ids[0]));
    await admin.quit();
    let value: unknown;
    for (let i = 0; i < 100 && value === undefined; i++) {
      value = await cache.get('k').then(
        (e) => e?.value,
        (err: unknown) => {
          expect(err).toBeInstanceOf(CacheUnavailableError); // only while reconnecting
          return undefined;
        },
      );
      if (value === undefined) await sleep(30);
    }
    expect(value).toEqual([[1]]);
  });
});
