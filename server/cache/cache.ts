/**
 * The `Cache` seam: what the query cache needs from a store, implemented in memory
 * (`memory-cache.ts`, one process) and on Redis (`redis-cache.ts`, shared by instances). One contract
 * suite (`cache.contract.test.ts`) runs against both, so callers never branch on the implementation.
 *
 * Besides get/set it carries the primitives that cross-process coalescing needs (a lock with an
 * expiry, a completion signal) and the per-dataset version counters that make invalidation instant:
 * the version is part of every cache key, so bumping it orphans every entry of that dataset.
 */
export interface Cache {
  /** `memory` or `redis`: for logs and metrics labels only, never for branching. */
  readonly kind: CacheKind;

  /** The entry, or undefined when absent or past its storage TTL. */
  get(key: string): Promise<CacheEntry | undefined>;
  /**
   * Stores the entry for `ttlMs` (the storage TTL, which covers the stale-if-error window; freshness
   * lives in the entry). An entry over the implementation's byte budget is refused, never stored, and
   * the previous entry under the key (if any) is left alone.
   */
  set(key: string, entry: CacheEntry, ttlMs: number): Promise<SetOutcome>;
  delete(key: string): Promise<void>;

  /**
   * Takes the lock on `key` if nobody holds it; it expires by itself after `ttlMs`, so a holder that
   * dies cannot block others for longer than that. Undefined when the lock is held.
   */
  tryLock(key: string, ttlMs: number): Promise<LockToken | undefined>;
  /** Releases the lock only if `token` still owns it (an expired lock re-taken by another is kept). */
  unlock(key: string, token: LockToken): Promise<boolean>;
  /**
   * Waits until `signal(key)` is called (by any process sharing the store) or until no lock is held on
   * `key` — checked at once and then at least every poll interval, so a lost message or a dead lock
   * holder cannot make a waiter sleep for the whole timeout. True when woken, false on timeout.
   */
  waitForSignal(key: string, timeoutMs: number): Promise<boolean>;
  /** Wakes every waiter on `key`, in every process sharing the store. */
  signal(key: string): Promise<void>;

  /** The dataset's data version; 0 until first bumped. */
  getVersion(dataset: string): Promise<number>;
  /** Increments and returns the dataset's version: every cached result of the old version is orphaned. */
  bumpVersion(dataset: string): Promise<number>;
  /**
   * Calls `listener` after every bump of any dataset's version, made by this or (for shared stores)
   * any other process. Delivery is best effort (pub/sub): it lets open pages refetch at once; the
   * version in every key is what keeps results correct. Returns the unsubscribe function.
   */
  onVersionBump(listener: VersionListener): () => void;

  /** Bytes of cached values held by this process, when the implementation knows (memory does). */
  readonly bytes: number | undefined;

  close(): Promise<void>;
}

export type CacheKind = 'memory' | 'redis';

export type VersionListener = (dataset: string, version: number) => void;

/** One cached result. Times are epoch milliseconds from the writer's clock. */
export interface CacheEntry {
  /** The payload (rows and columns). Shared, not copied, by the memory cache: treat it as immutable. */
  readonly value: unknown;
  readonly storedAt: number;
  /** Until then the entry is served as is. */
  readonly freshUntil: number;
  /** Until then a stale entry is served at once while it is refreshed in the background. */
  readonly staleUntil: number;
  /** Approximate size of `value` (as JSON), for the memory byte budget and metrics. */
  readonly bytes: number;
}

export type SetOutcome = 'stored' | 'too-large';

declare const lockTokenBrand: unique symbol;
/** Proof of holding a lock; only the holder can release it. */
export type LockToken = string & { readonly [lockTokenBrand]: true };

export function asLockToken(value: string): LockToken {
  return value as LockToken;
}

/**
 * The store could not do an operation (Redis down, timed out, refused). Never shown to clients:
 * `CachedQueries` treats the cache as optional and degrades to "no cache" with a log line and a
 * counted `degraded` metric. Code that bumps versions should let it propagate (the change must not
 * be acknowledged while its invalidation is lost).
 */
export class CacheUnavailableError extends Error {
  readonly code = 'CACHE_UNAVAILABLE';

  constructor(
    readonly operation: string,
    options: { cause?: unknown; message?: string } = {},
  ) {
    super(
      options.message ?? `cache ${operation} failed`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'CacheUnavailableError';
  }
}

/**
 * The logging the cache needs. pino's logger fits it as is; tests pass a recorder. Every degraded
 * path logs through it (or counts through the metrics hooks): nothing is dropped silently.
 */
export interface CacheLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
  debug(details: Record<string, unknown>, message: string): void;
}

/** Only for tests and scripts that assert on metrics instead of logs. */
export const silentLogger: CacheLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

/** Rejects non-finite or negative sizes and TTLs early: they would corrupt byte accounting or expiry. */
export function assertNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(`${name} must be a finite number ≥ 0, got ${value}`);
}
