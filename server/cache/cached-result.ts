import type { CacheEntry } from './cache.js';
import type { CacheKeyParts } from './cache-key.js';
import type { CacheResult } from './cache-metrics.js';
import type { FreshnessPolicy } from './freshness.js';

/** One query asked through the cache (see `CachedQueries.run`). */
export interface CachedQueryRequest<T> {
  /** The key parts except the dataset version, which is read from the cache on every request. */
  readonly key: Omit<CacheKeyParts, 'datasetVersion'>;
  /** The dataset's policy; undefined (`live`) runs the query every time, uncached. */
  readonly freshness: FreshnessPolicy | undefined;
  /**
   * Runs the query. The signal aborts it when every request waiting for it has gone away; it is not
   * any one request's signal, since the result is shared.
   */
  readonly execute: (signal: AbortSignal) => Promise<T>;
  /** Approximate bytes of a result (as JSON): charged against the cache's byte budget. */
  readonly sizeOf: (value: T) => number;
  /** This request's signal (client disconnected): it stops waiting with QUERY_CANCELLED. */
  readonly signal?: RequestSignal | undefined;
  /**
   * "Refresh now": an entry stored before this time is not fresh (nor servable stale) for this request,
   * so it runs the query (or joins one already running). Still one execution for many askers.
   */
  readonly freshAfter?: number | undefined;
}

/** Whether a cache entry answers a request at `now` without running anything. */
export function isFreshFor(
  entry: { readonly freshUntil: number; readonly storedAt: number },
  now: number,
  freshAfter: number | undefined,
): boolean {
  return now < entry.freshUntil && (freshAfter === undefined || entry.storedAt >= freshAfter);
}

/**
 * A request's cancellation, made only when it is needed. An AbortSignal is an EventTarget, costly
 * to create for every request, and a cache hit never waits on anything: `aborted` is answered
 * without one, and `signal()` makes it (the same one on every call) when the request must wait
 * for a query.
 */
export interface LazySignal {
  readonly aborted: boolean;
  signal(): AbortSignal;
}

export type RequestSignal = AbortSignal | LazySignal;

/** The AbortSignal of a request signal (made now if lazy), or undefined without one. */
export function abortSignalOf(signal: RequestSignal | undefined): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  return signal.signal();
}

export interface CachedQueryResult<T> {
  readonly value: T;
  /** How the cache answered: the metric label. `stale` covers stale-while-revalidate and stale-if-error. */
  readonly result: CacheResult;
  /**
   * True only when the value is served because the source failed (stale-if-error): the page shows
   * "showing data from <storedAt>; source unavailable". A stale-while-revalidate answer is within
   * the dataset's accepted staleness and is not flagged.
   */
  readonly stale: boolean;
  /** When the value was produced (epoch ms). */
  readonly storedAt: number;
}

export function served<T>(entry: CacheEntry, result: CacheResult, stale: boolean): CachedQueryResult<T> {
  // Entries under a key are written only from results of the query that key names, so this is a T.
  return { value: entry.value as T, result, stale, storedAt: entry.storedAt };
}
