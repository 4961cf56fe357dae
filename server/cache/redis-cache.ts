import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  asLockToken,
  assertNonNegative,
  CacheUnavailableError,
  type Cache,
  type CacheEntry,
  type CacheLogger,
  type LockToken,
  type SetOutcome,
  type VersionListener,
} from './cache.js';
import { RedisSignals } from './redis-signals.js';

export interface RedisCacheOptions {
  readonly url: string;
  /** Keys are `trellis:<namespace>:…`, so instances of other projects and test runs never collide. */
  readonly namespace: string;
  /** Largest serialised entry stored; larger ones are refused (Redis is shared, not a blob store). */
  readonly maxValueBytes: number;
  readonly logger: CacheLogger;
  /** A command that takes longer fails (and the cache degrades) instead of holding a request. */
  readonly commandTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** How often a signal waiter re-checks the lock (covers lost pub/sub messages). Default 250 ms. */
  readonly pollIntervalMs?: number;
}

/** Compare-and-delete: only the token that took the lock may release it (not a later holder's). */
const UNLOCK_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const NAMESPACE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The shared cache: entries as JSON with a PX expiry, locks as `SET NX PX` released by a
 * compare-and-delete script, completion signals on a pub/sub channel per key (with polling as a
 * fallback, see `redis-signals.ts`), versions with INCR.
 *
 * Failure policy: the offline queue is off and commands have a timeout, so while Redis is down every
 * operation fails fast with `CacheUnavailableError` (the caller serves without cache) instead of
 * queueing requests behind a reconnect. The client reconnects by itself, forever, with capped
 * backoff; state changes are logged once per transition, not once per attempt.
 */
export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  readonly bytes = undefined;
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly signals: RedisSignals;
  private readonly prefix: string;
  private readonly maxValueBytes: number;
  private readonly logger: CacheLogger;
  private readonly versionListeners = new Set<VersionListener>();
  private readonly versionsSubscribed: Promise<void>;
  private up = false;
  private closed = false;

  constructor(options: RedisCacheOptions) {
    if (!NAMESPACE.test(options.namespace))
      throw new TypeError(`invalid cache namespace: ${options.namespace}`);
    assertNonNegative('maxValueBytes', options.maxValueBytes);
    this.prefix = `trellis:${options.namespace}:`;
    this.maxValueBytes = options.maxValueBytes;
    this.logger = options.logger;
    this.client = new Redis(options.url, {
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      commandTimeout: options.commandTimeoutMs ?? 1_000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 3_000),
      connectionName: `trellis-cache-${options.namespace}`, // findable in CLIENT LIST
    });
    // The subscriber queues its SUBSCRIBEs while connecting and re-subscribes after a reconnect.
    this.subscriber = this.client.duplicate({
      enableOfflineQueue: true,
      commandTimeout: undefined,
      connectionName: `trellis-cache-${options.namespace}-signals`,
    });
    this.watch(this.client, 'commands');
    this.watch(this.subscriber, 'signals');
    this.signals = new RedisSignals(this.subscriber, options.pollIntervalMs ?? 250, this.logger);
    // One channel for every dataset's bumps; ioredis re-subscribes it after a reconnect.
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.versionsChannel()) this.emitVersion(message);
    });
    this.versionsSubscribed = this.subscriber.subscribe(this.versionsChannel()).then(
      () => undefined,
      (err: unknown) => {
        this.logger.warn(
          { err },
          'cannot subscribe to dataset version bumps; open pages will not refetch at once',
        );
      },
    );
  }

  /** Resolves once both connections are up; rejects with CacheUnavailableError after `timeoutMs`. */
  async ready(timeoutMs = 2_000): Promise<void> {
    await Promise.all([whenReady(this.client, timeoutMs), whenReady(this.subscriber, timeoutMs)]);
    await this.versionsSubscribed;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const json = await this.command('get', () => this.client.get(this.entryKey(key)));
    if (json === null) return undefined;
    const entry = parseEntry(json);
    if (!entry) {
      // Written by an incompatible version or corrupted: a miss, and removed so it is not re-read.
      this.logger.warn({ key }, 'cache entry is not valid JSON of a CacheEntry; deleting it');
      await this.delete(key);
    }
    return entry;
  }

  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<SetOutcome> {
    assertNonNegative('ttlMs', ttlMs);
    const json = JSON.stringify(entry);
    if (Buffer.byteLength(json) > this.maxValueBytes) return 'too-large';
    await this.command('set', () =>
      this.client.set(this.entryKey(key), json, 'PX', Math.max(1, Math.ceil(ttlMs))),
    );
    return 'stored';
  }

  async delete(key: string): Promise<void> {
    await this.command('delete', () => this.client.del(this.entryKey(key)));
  }

  async tryLock(key: string, ttlMs: number): Promise<LockToken | undefined> {
    assertNonNegative('ttlMs', ttlMs);
    const token = randomUUID();
    const ok = await this.command('tryLock', () =>
      this.client.set(this.lockKey(key), token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    return ok === 'OK' ? asLockToken(token) : undefined;
  }

  async unlock(key: string, token: LockToken): Promise<boolean> {
    const deleted = await this.command('unlock', () =>
      this.client.eval(UNLOCK_SCRIPT, 1, this.lockKey(key), token),
    );
    return deleted === 1;
  }

  async waitForSignal(key: string, timeoutMs: number): Promise<boolean> {
    if (this.closed) return true;
    const lockKey = this.lockKey(key);
    return this.signals.wait({
      channel: this.channel(key),
      timeoutMs,
      isDone: async () =>
        this.closed || (await this.command('waitForSignal', () => this.client.exists(lockKey))) === 0,
    });
  }

  async signal(key: string): Promise<void> {
    await this.command('signal', () => this.client.publish(this.channel(key), '1'));
  }

  async getVersion(dataset: string): Promise<number> {
    const value = await this.command('getVersion', () => this.client.get(this.versionKey(dataset)));
    return value === null ? 0 : Number(value);
  }

  async bumpVersion(dataset: string): Promise<number> {
    const version = await this.command('bumpVersion', () => this.client.incr(this.versionKey(dataset)));
    // The bump is what invalidates; a lost notice only delays a page's refetch, so it is not an error.
    await this.command('bumpVersion', () =>
      this.client.publish(this.versionsChannel(), JSON.stringify({ dataset, version })),
    ).catch((err: unknown) => this.logger.warn({ err, dataset }, 'dataset version bump not announced'));
    return version;
  }

  onVersionBump(listener: VersionListener): () => void {
    this.versionListeners.add(listener);
    return () => this.versionListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.versionListeners.clear();
    this.signals.wakeAll();
    await Promise.all([quit(this.client), quit(this.subscriber)]);
  }

  private entryKey(key: string): string {
    return `${this.prefix}e:${key}`;
  }

  private lockKey(key: string): string {
    return `${this.prefix}l:${key}`;
  }

  private channel(key: string): string {
    return `${this.prefix}s:${key}`;
  }

  private versionsChannel(): string {
    return `${this.prefix}versions`;
  }

  private emitVersion(message: string): void {
    let notice: unknown;
    try {
      notice = JSON.parse(message);
    } catch {
      notice = undefined;
    }
    const n = notice as { dataset?: unknown; version?: unknown } | undefined;
    if (typeof n?.dataset !== 'string' || typeof n.version !== 'number') {
      this.logger.warn({ message: message.slice(0, 200) }, 'ignoring a malformed dataset version notice');
      return;
    }
    for (const listener of [...this.versionListeners]) listener(n.dataset, n.version);
  }

  private versionKey(dataset: string): string {
    return `${this.prefix}v:${dataset}`;
  }

  private async command<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new CacheUnavailableError(operation, { message: 'cache is closed' });
    try {
      return await run();
    } catch (cause) {
      throw new CacheUnavailableError(operation, { cause });
    }
  }

  private watch(connection: Redis, role: string): void {
    connection.on('ready', () => {
      if (role === 'commands' && !this.up) this.logger.info({ role }, 'redis cache connected');
      if (role === 'commands') this.up = true;
    });
    connection.on('error', (err: unknown) => {
      // Every reconnect attempt errors; only the first after being up is worth a warning.
      if (role === 'commands' && this.up) {
        this.up = false;
        this.logger.warn({ err, role }, 'redis cache unavailable; serving without cache until it returns');
      } else {
        this.logger.debug({ err, role }, 'redis cache connection error');
      }
    });
  }
}

function whenReady(connection: Redis, timeoutMs: number): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: unknown) => {
      clearTimeout(timer);
      connection.off('ready', onReady);
      if (err === undefined) resolve();
      else reject(new CacheUnavailableError('connect', { cause: err }));
    };
    const onReady = () => done();
    const timer = setTimeout(() => done(new Error(`redis not ready after ${timeoutMs} ms`)), timeoutMs);
    connection.on('ready', onReady);
  });
}

async function quit(connection: Redis): Promise<void> {
  try {
    await connection.quit();
  } catch {
    // QUIT fails when the connection is already down; dropping the socket is all that is left to do.
    connection.disconnect();
  }
}

function parseEntry(json: string): CacheEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined; // reported by the caller, which knows the key
  }
  if (typeof parsed !== 'object' || parsed === null || !('value' in parsed)) return undefined;
  const e = parsed as Record<string, unknown>;
  for (const field of ['storedAt', 'freshUntil', 'staleUntil', 'bytes'] as const) {
    if (typeof e[field] !== 'number') return undefined;
  }
  return parsed as CacheEntry;
}
