import { TrellisError } from '../errors.js';
import type { Cache, CacheLogger } from './cache.js';
import { cacheKey, canonicalJson, type CacheKey } from './cache-key.js';
import { noCacheMetrics, type CacheMetricsHooks } from './cache-metrics.js';
import {
  abortSignalOf,
  isFreshFor,
  served,
  type CachedQueryRequest,
  type CachedQueryResult,
} from './cached-result.js';
import { isSourceUnavailable } from '../resilience/circuit-breaker.js';
import { OptionalCache } from './optional-cache.js';
import { SharedFetch } from './shared-fetch.js';

export type { CachedQueryRequest, CachedQueryResult, LazySignal, RequestSignal } from './cached-result.js';

export interface CachedQueriesOptions {
  readonly cache: Cache;
  readonly logger: CacheLogger;
  readonly metrics?: CacheMetricsHooks;
  /**
   * How long the executing instance holds the cross-process lock. Must exceed the longest query
   * (the engine's timeout plus a margin): a lock that expires mid-query lets a second instance run
   * the same statement. It is also how long waiters wait for an owner that died.
   */
  readonly lockTtlMs: number;
  /** Longest a request waits on another instance before running the query itself. Default lockTtlMs + 5 s. */
  readonly maxWaitMs?: number;
  /** Which errors mean "the source is down" (serve stale if possible). Default: SOURCE_UNAVAILABLE. */
  readonly isSourceDown?: (err: unknown) => boolean;
  /** Wall clock for entry times (epoch ms). Waits use a monotonic clock. */
  readonly now?: () => number;
}

interface Flight {
  /** A background refresh resolves undefined when it had nothing to do (another instance refreshed). */
  readonly promise: Promise<CachedQueryResult<unknown> | undefined>;
  readonly controller: AbortController;
  readonly background: boolean;
  subscribers: number;
}

/**
 * The read-through query cache: fresh hit → stale-while-revalidate → one execution per key, shared
 * by the requests of this process (a map of in-flight promises) and across instances (`SharedFetch`:
 * a lock in the cache, a completion signal, a bounded wait) → stale-if-error when the source is down.
 *
 * The cache is optional (`OptionalCache`): when it fails (Redis down) requests go on without it,
 * counted and logged once per outage. Only `execute`'s errors reach the caller.
 */
export class CachedQueries {
  private readonly flights = new Map<string, Flight>();
  /** Keys by key-parts object (weakly held: they go with the prepared queries that own them). */
  private readonly keys = new WeakMap<object, { version: number; key: CacheKey }>();
  private readonly store: OptionalCache;
  private readonly shared: SharedFetch;
  private readonly logger: CacheLogger;
  private readonly metrics: CacheMetricsHooks;
  private readonly now: () => number;
  private readonly isSourceDown: (err: unknown) => boolean;

  constructor(options: CachedQueriesOptions) {
    if (!(options.lockTtlMs > 0)) throw new TypeError('lockTtlMs must be > 0');
    this.logger = options.logger;
    this.metrics = options.metrics ?? noCacheMetrics;
    this.now = options.now ?? Date.now;
    this.isSourceDown = options.isSourceDown ?? isSourceUnavailable;
    this.store = new OptionalCache(options.cache, this.logger, this.metrics);
    this.shared = new SharedFetch({
      store: this.store,
      logger: this.logger,
      metrics: this.metrics,
      now: this.now,
      isSourceDown: this.isSourceDown,
      lockTtlMs: options.lockTtlMs,
      maxWaitMs: options.maxWaitMs ?? options.lockTtlMs + 5_000,
    });
  }

  /** Keys with a query running in this process (for tests and diagnostics). */
  get inFlight(): number {
    return this.flights.size;
  }

  async run<T>(request: CachedQueryRequest<T>): Promise<CachedQueryResult<T>> {
    if (request.signal?.aborted) throw new TrellisError('QUERY_CANCELLED');
    const policy = request.freshness;
    if (!policy) {
      const value = await request.execute(abortSignalOf(request.signal) ?? new AbortController().signal);
      return { value, result: 'miss', stale: false, storedAt: this.now() };
    }
    const version = await this.store.getVersion(request.key.dataset);
    if (version === undefined) {
      // Without the version a key could outlive an invalidation: no cache, only in-process sharing.
      const flightKey = `uncached:${canonicalJson(request.key)}`;
      return this.count(
        await this.joinOrStart(flightKey, request, (signal) => this.shared.executeOnly(request, signal)),
      );
    }
    const key = this.keyOf(request.key, version);
    const running = this.flights.get(key);
    if (running && !running.background) return this.count(await this.join(running, request, key));

    const entry = await this.store.get(key);
    const now = this.now();
    if (entry && isFreshFor(entry, now, request.freshAfter)) return this.count(served(entry, 'hit', false));
    if (entry && now < entry.staleUntil && request.freshAfter === undefined) {
      this.refreshInBackground(key, request);
      return this.count(served(entry, 'stale', false));
    }
    const refreshing = this.flights.get(key);
    if (refreshing?.background) {
      // A refresh started while the entry was in grace, which has ended since: wait for it, re-read.
      await refreshing.promise.catch(() => undefined); // its failure was logged and counted by track()
      return this.run(request);
    }
    return this.count(
      await this.joinOrStart(key, request, (signal) =>
        this.shared.fetch(key, request, policy, signal, entry),
      ),
    );
  }

  /**
   * The cache key for these parts at this version. Callers that keep their key parts (prepared
   * queries, see QueryRunner.prepare) get the key remembered per parts object, so a repeated
   * request does not rebuild the key's identity (a JSON of the SQL) on every hit; a new version
   * computes it anew.
   */
  private keyOf(parts: CachedQueryRequest<unknown>['key'], version: number): CacheKey {
    const known = this.keys.get(parts);
    if (known?.version === version) return known.key;
    const key = cacheKey({ ...parts, datasetVersion: version });
    this.keys.set(parts, { version, key });
    return key;
  }

  private joinOrStart<T>(
    key: string,
    request: CachedQueryRequest<T>,
    start: (signal: AbortSignal) => Promise<CachedQueryResult<T>>,
  ): Promise<CachedQueryResult<T>> {
    const running = this.flights.get(key);
    if (running && !running.background) return this.join(running, request, key);
    const controller = new AbortController();
    const flight: Flight = {
      promise: start(controller.signal),
      controller,
      background: false,
      subscribers: 0,
    };
    this.track(key, flight);
    return this.join(flight, request, key, true);
  }

  /** Waits for a flight on behalf of one request; the last request to leave aborts the execution. */
  private join<T>(
    flight: Flight,
    request: CachedQueryRequest<T>,
    key: string,
    leader = false,
  ): Promise<CachedQueryResult<T>> {
    // Only foreground flights are joined, and they always yield a result; a flight for this key runs
    // this request's query (same key, same statement), so the result is a T.
    const shared = flight.promise as Promise<CachedQueryResult<T>>;
    const asJoiner = (r: CachedQueryResult<T>): CachedQueryResult<T> =>
      leader || r.result !== 'miss' ? r : { ...r, result: 'coalesced' };
    flight.subscribers++;
    const signal = abortSignalOf(request.signal);
    if (!signal) return shared.then(asJoiner).finally(() => flight.subscribers--);
    return new Promise<CachedQueryResult<T>>((resolve, reject) => {
      const onAbort = () => {
        flight.subscribers--;
        if (flight.subscribers === 0) {
          flight.controller.abort();
          this.untrack(key, flight); // later requests start afresh instead of joining an aborted run
        }
        reject(new TrellisError('QUERY_CANCELLED'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.then(
        (r) => {
          signal.removeEventListener('abort', onAbort);
          flight.subscribers--;
          resolve(asJoiner(r));
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          flight.subscribers--;
          reject(err);
        },
      );
    });
  }

  /**
   * Stale-while-revalidate: one refresh per key per process (the in-flight map) and per cluster (the
   * lock). It runs for nobody in particular, so no request's disconnect aborts it; the engine's
   * timeout bounds it.
   */
  private refreshInBackground<T>(key: string, request: CachedQueryRequest<T>): void {
    if (this.flights.has(key) || !request.freshness) return;
    const controller = new AbortController();
    const promise = this.shared.refresh(key, request, request.freshness, controller.signal);
    this.track(key, { promise, controller, background: true, subscribers: 0 });
  }

  private track(key: string, flight: Flight): void {
    this.flights.set(key, flight);
    flight.promise.then(
      () => this.untrack(key, flight),
      (err: unknown) => {
        this.untrack(key, flight);
        if (flight.background) {
          this.metrics.refreshFailed();
          // A source outage is already loud (circuit breaker, query metrics); one line per refresh
          // attempt during it would drown the log, so those go to debug. Anything else is a warning.
          const level = this.isSourceDown(err) ? 'debug' : 'warn';
          this.logger[level](
            { err, key },
            'background cache refresh failed; the stale entry stays until its grace ends',
          );
        } else if (flight.subscribers === 0) {
          // Every request left before the shared execution ended: nobody else will see this error.
          this.logger.debug({ err, key }, 'abandoned shared query ended with an error');
        }
      },
    );
  }

  private untrack(key: string, flight: Flight): void {
    if (this.flights.get(key) === flight) this.flights.delete(key);
  }

  private count<T>(result: CachedQueryResult<T>): CachedQueryResult<T> {
    this.metrics.request(result.result);
    return result;
  }
}
