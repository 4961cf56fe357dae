import {
  CacheUnavailableError,
  type Cache,
  type CacheEntry,
  type CacheLogger,
  type LockToken,
  type SetOutcome,
} from './cache.js';
import type { CacheMetricsHooks } from './cache-metrics.js';

/** Returned instead of an answer when the cache could not be asked (so callers cannot mistake it for one). */
export const CACHE_DOWN: unique symbol = Symbol('cache down');
export type CacheDown = typeof CACHE_DOWN;

/**
 * A Cache seen as optional: every operation that fails (Redis down, timed out, a bug) is counted as
 * `degraded`, logged, and answered with a neutral value — a miss, "not stored", `CACHE_DOWN` where
 * the caller must choose another path — so a request goes on without the cache instead of failing.
 *
 * Logging follows outages, not operations: a warning when the first failure starts one, debug lines
 * while it lasts, an info line on the first success after it. Unexpected errors (not
 * CacheUnavailableError) are always logged as errors.
 */
export class OptionalCache {
  private down = false;

  constructor(
    readonly cache: Cache,
    private readonly logger: CacheLogger,
    private readonly metrics: CacheMetricsHooks,
  ) {}

  /** Undefined when unavailable: without the version no key can be trusted to follow invalidations. */
  getVersion(dataset: string): Promise<number | undefined> {
    return this.attempt('getVersion', () => this.cache.getVersion(dataset), undefined);
  }

  get(key: string): Promise<CacheEntry | undefined> {
    return this.attempt('get', () => this.cache.get(key), undefined);
  }

  set(key: string, entry: CacheEntry, ttlMs: number): Promise<SetOutcome | CacheDown> {
    return this.attempt('set', () => this.cache.set(key, entry, ttlMs), CACHE_DOWN);
  }

  tryLock(key: string, ttlMs: number): Promise<LockToken | undefined | CacheDown> {
    return this.attempt('tryLock', () => this.cache.tryLock(key, ttlMs), CACHE_DOWN);
  }

  /** Releases the lock and wakes its waiters. A failure leaves the lock to expire by its TTL. */
  async release(key: string, token: LockToken): Promise<void> {
    await this.attempt('unlock', () => this.cache.unlock(key, token), false);
    await this.attempt('signal', () => this.cache.signal(key), undefined);
  }

  waitForSignal(key: string, timeoutMs: number): Promise<boolean | CacheDown> {
    return this.attempt('waitForSignal', () => this.cache.waitForSignal(key, timeoutMs), CACHE_DOWN);
  }

  /** Runs `run`; on failure counts, logs and returns `fallback`. */
  async attempt<R, F>(operation: string, run: () => Promise<R>, fallback: F): Promise<R | F> {
    try {
      const result = await run();
      if (this.down) {
        this.down = false;
        this.logger.info({ operation, cache: this.cache.kind }, 'cache recovered');
      }
      return result;
    } catch (err) {
      this.metrics.degraded(operation);
      const details = { err, operation, cache: this.cache.kind };
      if (!(err instanceof CacheUnavailableError)) {
        this.logger.error(details, 'cache operation failed; continuing without the cache');
      } else if (!this.down) {
        this.down = true;
        this.logger.warn(details, 'cache unavailable; serving without cache until it returns');
      } else {
        this.logger.debug(details, 'cache still unavailable');
      }
      return fallback;
    }
  }
}
