import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import {
  asLockToken,
  assertNonNegative,
  type Cache,
  type CacheEntry,
  type LockToken,
  type VersionListener,
  type SetOutcome,
} from './cache.js';

export interface MemoryCacheOptions {
  /** Budget for cached values in bytes; the least recently used entries are evicted to stay within it. */
  readonly maxBytes: number;
  /** Largest single entry accepted (default: the whole budget). Larger entries are refused. */
  readonly maxEntryBytes?: number;
  /** How often a waiter re-checks the lock it waits on (catches expired locks). Default 100 ms. */
  readonly pollIntervalMs?: number;
  /** Clock for TTLs and lock expiry; tests inject one. Default Date.now. */
  readonly now?: () => number;
  /** Called once per entry evicted to stay within the byte budget (feeds trellis_cache_evictions_total). */
  readonly onEvict?: () => void;
}

interface Stored {
  readonly entry: CacheEntry;
  readonly expiresAt: number;
}

interface Lock {
  readonly token: LockToken;
  readonly expiresAt: number;
}

/**
 * The in-process cache: an LRU bounded by bytes, not entries, so a few huge results cannot push the
 * process out of memory and many small ones are not capped by count. Locks, signals and versions are
 * plain maps — correct for one process (web and worker roles in one process); instances that share
 * work need the Redis cache, whose versions and locks every instance sees.
 *
 * Expiry is checked against the injected clock on read rather than with lru-cache's own TTL, so tests
 * drive time deterministically; expired entries still count against the budget until read or evicted,
 * which keeps the bound honest.
 */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly lru: LRUCache<string, Stored>;
  private readonly locks = new Map<string, Lock>();
  private readonly waiters = new Map<string, Set<(woken: boolean) => void>>();
  private readonly versions = new Map<string, number>();
  private readonly versionListeners = new Set<VersionListener>();
  private readonly now: () => number;
  private readonly pollIntervalMs: number;
  private readonly maxEntryBytes: number;
  private evictionCount = 0;
  private closed = false;

  constructor(private readonly options: MemoryCacheOptions) {
    assertNonNegative('maxBytes', options.maxBytes);
    if (options.maxBytes < 1) throw new TypeError('maxBytes must be at least 1');
    this.maxEntryBytes = Math.min(options.maxEntryBytes ?? options.maxBytes, options.maxBytes);
    this.now = options.now ?? Date.now;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.lru = new LRUCache<string, Stored>({
      maxSize: options.maxBytes,
      maxEntrySize: this.maxEntryBytes,
      sizeCalculation: (stored, key) => entrySize(key, stored.entry),
      dispose: (_stored, _key, reason) => {
        if (reason !== 'evict') return;
        this.evictionCount++;
        this.options.onEvict?.();
      },
    });
  }

  /** Bytes currently charged against the budget (values plus keys). Never above `maxBytes`. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  get entries(): number {
    return this.lru.size;
  }

  get evictions(): number {
    return this.evictionCount;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const stored = this.lru.get(key);
    if (!stored) return undefined;
    if (stored.expiresAt <= this.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return stored.entry;
  }

  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<SetOutcome> {
    assertNonNegative('entry.bytes', entry.bytes);
    assertNonNegative('ttlMs', ttlMs);
    // Checked here, not left to lru-cache: it would silently drop the value *and* delete the
    // previous entry, which may still be the stale-if-error fallback.
    if (entrySize(key, entry) > this.maxEntryBytes) return 'too-large';
    this.lru.set(key, { entry, expiresAt: this.now() + ttlMs });
    return 'stored';
  }

  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }

  async tryLock(key: string, ttlMs: number): Promise<LockToken | undefined> {
    assertNonNegative('ttlMs', ttlMs);
    if (this.lockHeld(key)) return undefined;
    const token = asLockToken(randomUUID());
    this.locks.set(key, { token, expiresAt: this.now() + ttlMs });
    return token;
  }

  async unlock(key: string, token: LockToken): Promise<boolean> {
    const lock = this.locks.get(key);
    if (!lock || lock.token !== token) return false;
    this.locks.delete(key);
    this.wake(key); // same as Redis, where waiters notice the free lock by polling
    return lock.expiresAt > this.now();
  }

  waitForSignal(key: string, timeoutMs: number): Promise<boolean> {
    if (this.closed || !this.lockHeld(key)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set();
      this.waiters.set(key, set);
      const finish = (woken: boolean) => {
        clearTimeout(timeout);
        clearInterval(poll);
        set.delete(finish);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
        resolve(woken);
      };
      const timeout = setTimeout(() => finish(false), timeoutMs);
      const poll = setInterval(() => {
        if (!this.lockHeld(key)) finish(true);
      }, this.pollIntervalMs);
      set.add(finish);
    });
  }

  async signal(key: string): Promise<void> {
    this.wake(key);
  }

  async getVersion(dataset: string): Promise<number> {
    return this.versions.get(dataset) ?? 0;
  }

  async bumpVersion(dataset: string): Promise<number> {
    const next = (this.versions.get(dataset) ?? 0) + 1;
    this.versions.set(dataset, next);
    for (const listener of [...this.versionListeners]) listener(dataset, next);
    return next;
  }

  onVersionBump(listener: VersionListener): () => void {
    this.versionListeners.add(listener);
    return () => this.versionListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const key of [...this.waiters.keys()]) this.wake(key);
    this.lru.clear();
    this.locks.clear();
    this.versionListeners.clear();
  }

  private lockHeld(key: string): boolean {
    const lock = this.locks.get(key);
    if (!lock) return false;
    if (lock.expiresAt > this.now()) return true;
    this.locks.delete(key);
    return false;
  }

  private wake(key: string): void {
    const set = this.waiters.get(key);
    if (!set) return;
    for (const finish of [...set]) finish(true);
  }
}

/**
 * What an entry is charged: its value's bytes plus its key (UTF-16 in the heap). At least 1, as
 * lru-cache requires positive sizes.
 */
function entrySize(key: string, entry: CacheEntry): number {
  return Math.max(1, Math.ceil(entry.bytes) + key.length * 2);
}
