import type { CacheConfig } from '../config/env.js';
import type { Cache, CacheLogger } from './cache.js';
import type { CacheMetrics } from './cache-metrics.js';
import { MemoryCache } from './memory-cache.js';

/**
 * The configured cache: Redis when `TRELLIS_REDIS_URL` is set (shared by instances: entries, locks,
 * completion signals, dataset versions), else the in-process memory cache bounded by bytes.
 *
 * A Redis that is down at start does not stop the server: the cache is optional by design, requests
 * go on without it (counted as degraded) and the client reconnects by itself.
 */
export async function openCache(
  config: CacheConfig,
  namespace: string,
  logger: CacheLogger,
  metrics: CacheMetrics,
): Promise<Cache> {
  if (config.redisUrl === undefined) {
    const cache = new MemoryCache({
      maxBytes: config.maxBytes,
      maxEntryBytes: config.maxEntryBytes,
      onEvict: () => metrics.eviction(),
    });
    metrics.trackBytes(() => cache.bytes);
    return cache;
  }
  // ioredis is loaded only when Redis is configured.
  const { RedisCache } = await import('./redis-cache.js');
  const cache = new RedisCache({
    url: config.redisUrl,
    namespace,
    maxValueBytes: config.maxEntryBytes,
    commandTimeoutMs: config.commandTimeoutMs,
    logger,
  });
  try {
    await cache.ready();
  } catch (err) {
    logger.warn({ err }, 'redis cache not reachable at start; serving without cache until it is');
  }
  return cache;
}
