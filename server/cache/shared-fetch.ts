import { performance } from 'node:perf_hooks';
import { TrellisError } from '../errors.js';
import type { CacheEntry, CacheLogger } from './cache.js';
import type { CacheMetricsHooks } from './cache-metrics.js';
import { isFreshFor, served, type CachedQueryRequest, type CachedQueryResult } from './cached-result.js';
import { entryTimes, storageTtlMs, type FreshnessPolicy } from './freshness.js';
import { CACHE_DOWN, type OptionalCache } from './optional-cache.js';

export interface SharedFetchOptions {
  readonly store: OptionalCache;
  readonly logger: CacheLogger;
  readonly metrics: CacheMetricsHooks;
  readonly now: () => number;
  readonly isSourceDown: (err: unknown) => boolean;
  readonly lockTtlMs: number;
  readonly maxWaitMs: number;
}

/**
 * The cross-instance half of the cache: at most one execution of a key at a time among all instances
 * sharing the store, through a lock in the store and a completion signal. `CachedQueries` calls it
 * once per key per process (its in-flight map does the in-process half).
 */
export class SharedFetch {
  constructor(private readonly o: SharedFetchOptions) {}

  /**
   * Take the lock and run, or wait for the holder's signal and read its entry. A holder that failed
   * or died leaves no fresh entry; the waiter then takes the lock itself (after expiry, for a dead
   * one). Every wait is bounded: past `maxWaitMs` the query runs here, unlocked, with a warning.
   * `fallback` is the entry to serve marked stale if the source turns out to be down.
   */
  async fetch<T>(
    key: string,
    request: CachedQueryRequest<T>,
    policy: FreshnessPolicy,
    signal: AbortSignal,
    fallback: CacheEntry | undefined,
  ): Promise<CachedQueryResult<T>> {
    const { store, lockTtlMs } = this.o;
    const deadline = performance.now() + this.o.maxWaitMs;
    for (;;) {
      throwIfAborted(signal);
      const token = await store.tryLock(key, lockTtlMs);
      if (token === CACHE_DOWN) return this.executeAndStore(key, request, policy, signal, fallback);
      if (token !== undefined) {
        try {
          // Another instance may have stored the result between our read and our lock.
          const entry = await store.get(key);
          if (entry && isFreshFor(entry, this.o.now(), request.freshAfter))
            return served(entry, 'coalesced', false);
          return await this.executeAndStore(key, request, policy, signal, entry ?? fallback);
        } finally {
          await store.release(key, token);
        }
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        this.o.logger.warn(
          { key, waitedMs: this.o.maxWaitMs },
          'waited too long for another instance; running here',
        );
        return this.executeAndStore(key, request, policy, signal, fallback);
      }
      const woken = await store.waitForSignal(key, Math.min(remaining, lockTtlMs));
      if (woken === CACHE_DOWN) return this.executeAndStore(key, request, policy, signal, fallback);
      const entry = await store.get(key);
      if (entry && isFreshFor(entry, this.o.now(), request.freshAfter))
        return served(entry, 'coalesced', false);
      fallback = entry ?? fallback;
    }
  }

  /**
   * Stale-while-revalidate's refresh: only if this instance gets the lock (another one holding it is
   * already refreshing). Resolves undefined when there was nothing to do; rejects when the query fails.
   */
  async refresh<T>(
    key: string,
    request: CachedQueryRequest<T>,
    policy: FreshnessPolicy,
    signal: AbortSignal,
  ): Promise<CachedQueryResult<T> | undefined> {
    const token = await this.o.store.tryLock(key, this.o.lockTtlMs);
    // CACHE_DOWN too: a refreshed result could not be stored anyway.
    if (token === undefined || token === CACHE_DOWN) return undefined;
    try {
      const current = await this.o.store.get(key);
      if (current && this.o.now() < current.freshUntil) return undefined; // refreshed meanwhile
      // No stale fallback here: a failed refresh must be counted and logged as one.
      return await this.executeAndStore(key, request, policy, signal, false);
    } finally {
      await this.o.store.release(key, token);
    }
  }

  /** The degraded path when the store is down: run, share in-process only, store nothing. */
  async executeOnly<T>(request: CachedQueryRequest<T>, signal: AbortSignal): Promise<CachedQueryResult<T>> {
    const value = await request.execute(signal);
    return { value, result: 'miss', stale: false, storedAt: this.o.now() };
  }

  /**
   * Runs the query and stores its result. When the source is down and `fallback` is not `false`, the
   * cached entry (the one passed, else whatever the store still holds) is served marked stale.
   */
  private async executeAndStore<T>(
    key: string,
    request: CachedQueryRequest<T>,
    policy: FreshnessPolicy,
    signal: AbortSignal,
    fallback: CacheEntry | undefined | false,
  ): Promise<CachedQueryResult<T>> {
    const { store, logger } = this.o;
    let value: T;
    try {
      value = await request.execute(signal);
    } catch (err) {
      if (fallback === false || !this.o.isSourceDown(err)) throw err;
      const stale = fallback ?? (await store.get(key));
      if (!stale) throw err;
      logger.warn(
        { err, key, storedAt: stale.storedAt, source: request.key.source },
        'source unavailable; serving the cached result marked stale',
      );
      return served(stale, 'stale', true);
    }
    const times = entryTimes(policy, this.o.now());
    const bytes = await store.attempt('sizeOf', async () => request.sizeOf(value), undefined);
    if (bytes !== undefined) {
      const outcome = await store.set(key, { value, bytes, ...times }, storageTtlMs(policy));
      if (outcome === 'too-large') {
        this.o.metrics.refused();
        logger.debug({ key, bytes }, 'result larger than the cache entry budget; not cached');
      }
    }
    return { value, result: 'miss', stale: false, storedAt: times.storedAt };
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrellisError('QUERY_CANCELLED');
}
