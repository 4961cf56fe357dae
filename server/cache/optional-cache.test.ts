import { describe, expect, it } from 'vitest';
import { CacheUnavailableError, type CacheLogger } from './cache.js';
import { noCacheMetrics } from './cache-metrics.js';
import { MemoryCache } from './memory-cache.js';
import { CACHE_DOWN, OptionalCache } from './optional-cache.js';

function recordingLogger() {
  const lines: string[] = [];
  const at = (level: string) => (_d: Record<string, unknown>, message: string) =>
    lines.push(`${level}: ${message}`);
  const logger: CacheLogger = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
  return { lines, logger };
}

describe('OptionalCache', () => {
  it('answers neutrally when the cache fails, and logs per outage, not per operation', async () => {
    const cache = new MemoryCache({ maxBytes: 1_000 });
    let down = true;
    const original = cache.get.bind(cache);
    cache.get = (key) => (down ? Promise.reject(new CacheUnavailableError('get')) : original(key));
    const degraded: string[] = [];
    const { lines, logger } = recordingLogger();
    const store = new OptionalCache(cache, logger, {
      ...noCacheMetrics,
      degraded: (op) => degraded.push(op),
    });

    for (let i = 0; i < 5; i++) expect(await store.get('k')).toBeUndefined();
    down = false;
    await store.get('k');
    down = true;
    await store.get('k');

    expect(degraded).toEqual(['get', 'get', 'get', 'get', 'get', 'get']);
    expect(lines.filter((l) => !l.startsWith('debug'))).toEqual([
      'warn: cache unavailable; serving without cache until it returns',
      'info: cache recovered',
      'warn: cache unavailable; serving without cache until it returns',
    ]);
  });

  it('marks the answers a caller must not mistake for the store’s with CACHE_DOWN', async () => {
    const cache = new MemoryCache({ maxBytes: 1_000 });
    const fail = () => Promise.reject(new CacheUnavailableError('x'));
    cache.tryLock = fail;
    cache.waitForSignal = fail;
    cache.set = fail;
    cache.getVersion = fail;
    const store = new OptionalCache(cache, recordingLogger().logger, noCacheMetrics);
    expect(await store.tryLock('k', 1_000)).toBe(CACHE_DOWN);
    expect(await store.waitForSignal('k', 1_000)).toBe(CACHE_DOWN);
    expect(
      await store.set('k', { value: 1, storedAt: 0, freshUntil: 0, staleUntil: 0, bytes: 1 }, 1_000),
    ).toBe(CACHE_DOWN);
    expect(await store.getVersion('d')).toBeUndefined();
  });

  it('logs unexpected errors (bugs) as errors every time', async () => {
    const cache = new MemoryCache({ maxBytes: 1_000 });
    const { lines, logger } = recordingLogger();
    const store = new OptionalCache(cache, logger, noCacheMetrics);
    await store.attempt('sizeOf', () => Promise.reject(new TypeError('circular')), undefined);
    await store.attempt('sizeOf', () => Promise.reject(new TypeError('circular')), undefined);
    expect(lines).toEqual([
      'error: cache operation failed; continuing without the cache',
      'error: cache operation failed; continuing without the cache',
    ]);
  });
});
