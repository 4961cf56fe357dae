import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCacheMetrics } from './cache-metrics.js';
import { MemoryCache } from './memory-cache.js';

describe('createCacheMetrics', () => {
  it('exposes requests by result, evictions and bytes held, read at scrape time', async () => {
    const registry = new Registry();
    const metrics = createCacheMetrics(registry);
    const cache = new MemoryCache({ maxBytes: 1_000, onEvict: () => metrics.eviction() });
    metrics.trackBytes(() => cache.bytes);
    metrics.request('hit');
    metrics.request('hit');
    metrics.request('coalesced');
    metrics.degraded('get');
    for (let i = 0; i < 5; i++) {
      await cache.set(`k${i}`, { value: i, storedAt: 0, freshUntil: 0, staleUntil: 0, bytes: 300 }, 60_000);
    }
    const text = await registry.metrics();
    expect(text).toContain('trellis_cache_requests_total{result="hit"} 2');
    expect(text).toContain('trellis_cache_requests_total{result="coalesced"} 1');
    expect(text).toContain('trellis_cache_requests_total{result="miss"} 0');
    expect(text).toContain('trellis_cache_evictions_total 2');
    expect(text).toContain(`trellis_cache_bytes ${cache.bytes}`);
    expect(text).toContain('trellis_cache_degraded_total{operation="get"} 1');
    expect(cache.bytes).toBeLessThanOrEqual(1_000);
  });
});
