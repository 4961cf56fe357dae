import { Counter, Gauge, type Registry } from 'prom-client';

export type CacheResult = 'hit' | 'miss' | 'coalesced' | 'stale';

/**
 * What the cache reports. `CachedQueries` and the caches call these; `createCacheMetrics` backs them
 * with Prometheus, tests with plain counters. Keeping the interface this small leaves prom-client
 * out of the cache logic.
 */
export interface CacheMetricsHooks {
  /** One per request answered through the cache (live datasets bypass it and are not counted). */
  request(result: CacheResult): void;
  /** One per entry evicted to stay within the memory byte budget. */
  eviction(): void;
  /** A cache operation failed and the request went on without it (Redis down, timeout). */
  degraded(operation: string): void;
  /** A result was not stored because it is larger than the per-entry budget. */
  refused(): void;
  /** A background stale-while-revalidate refresh failed (the stale entry stays until its window ends). */
  refreshFailed(): void;
}

export const noCacheMetrics: CacheMetricsHooks = {
  request: () => undefined,
  eviction: () => undefined,
  degraded: () => undefined,
  refused: () => undefined,
  refreshFailed: () => undefined,
};

export interface CacheMetrics extends CacheMetricsHooks {
  /** Reports `trellis_cache_bytes` from this function at scrape time (the memory cache's `bytes`). */
  trackBytes(bytes: () => number | undefined): void;
}

/**
 * The Prometheus side: `trellis_cache_requests_total{result}`, `trellis_cache_evictions_total`,
 * `trellis_cache_bytes`, plus `trellis_cache_degraded_total{operation}`,
 * `trellis_cache_refused_total` and `trellis_cache_refresh_failures_total` so that every degraded
 * path is visible. Registered on the app's registry (one per app, as in observability/metrics.ts).
 */
export function createCacheMetrics(registry: Registry): CacheMetrics {
  const requests = new Counter({
    name: 'trellis_cache_requests_total',
    help: 'Query cache lookups by result (hit, miss, coalesced, stale)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  for (const result of ['hit', 'miss', 'coalesced', 'stale'] as const) requests.inc({ result }, 0);
  const evictions = new Counter({
    name: 'trellis_cache_evictions_total',
    help: 'Entries evicted from the memory cache to stay within its byte budget',
    registers: [registry],
  });
  const degraded = new Counter({
    name: 'trellis_cache_degraded_total',
    help: 'Cache operations that failed, after which the request went on without the cache',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const refused = new Counter({
    name: 'trellis_cache_refused_total',
    help: 'Results not cached because they exceed the per-entry byte budget',
    registers: [registry],
  });
  const refreshFailures = new Counter({
    name: 'trellis_cache_refresh_failures_total',
    help: 'Background stale-while-revalidate refreshes that failed',
    registers: [registry],
  });
  let readBytes: () => number | undefined = () => undefined;
  new Gauge({
    name: 'trellis_cache_bytes',
    help: 'Bytes held by the in-process cache (values and keys)',
    registers: [registry],
    collect() {
      const bytes = readBytes();
      if (bytes !== undefined) this.set(bytes);
    },
  });
  return {
    request: (result) => requests.inc({ result }),
    eviction: () => evictions.inc(),
    degraded: (operation) => degraded.inc({ operation }),
    refused: () => refused.inc(),
    refreshFailed: () => refreshFailures.inc(),
    trackBytes: (bytes) => {
      readBytes = bytes;
    },
  };
}
