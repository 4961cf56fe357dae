import { TrellisError } from '../errors.js';
import { withRetry, type RetryPolicy } from '../resilience/retry.js';

/** Opening a connection: 3 tries, 100 ms → 1 s apart (resilience/retry.ts); never a statement. */
export const CONNECT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

/** What a pool needs from a database driver: each server engine implements this over its library. */
export interface PoolDriver<C> {
  /** Opens a connection and prepares its session (time zone, settings). Rejects with the driver's error. */
  open(): Promise<C>;
  /** A trivial round trip, to check a connection that sat idle before handing it out again. */
  ping(conn: C): Promise<void>;
  /** Closes a connection without throwing: politely when it is healthy, by force otherwise. */
  close(conn: C): void;
  /** False once the driver has seen the connection fail or end (it is then never handed out). */
  isAlive(conn: C): boolean;
  /** Failures worth another try: refused, reset, server starting up, too many connections. */
  isTransient(err: unknown): boolean;
}

export interface PoolSettings {
  /** Idle connections kept at most (the engine's concurrency limit caps those lent out). */
  readonly maxIdle: number;
  /** An idle connection older than this is closed. */
  readonly idleTimeoutMs: number;
  /** A connection idle longer than this is pinged before reuse (servers and NATs drop quiet ones). */
  readonly validateAfterMs: number;
  readonly pingTimeoutMs: number;
  readonly retry: RetryPolicy;
}

/**
 * A small connection pool shared by the server engines. It does not queue: the engine's
 * ConcurrencyLimiter admits at most `size` callers, so `acquire` either reuses an idle connection
 * (pinged first if it sat idle a while) or opens one, retrying transient failures with backoff.
 * Opening a connection is the only retried step: no statement has been sent at that point.
 */
export class ConnectionPool<C> {
  private readonly idle: { conn: C; since: number }[] = [];
  private lent = 0;
  private closed = false;
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly driver: PoolDriver<C>,
    private readonly settings: PoolSettings,
  ) {
    const every = Math.max(50, Math.min(settings.idleTimeoutMs / 2, 5_000));
    this.reaper = setInterval(() => this.closeExpired(), every);
    this.reaper.unref(); // an idle pool must not keep the process alive
  }

  /** Connections open now: idle plus lent out. */
  get size(): number {
    return this.idle.length + this.lent;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  async acquire(signal?: AbortSignal): Promise<C> {
    this.assertOpen();
    const conn =
      (await this.takeIdle()) ??
      (await withRetry(
        () => this.driver.open(),
        (err) => this.driver.isTransient(err),
        this.settings.retry,
        signal,
      ));
    if (this.closed) {
      this.driver.close(conn);
      this.assertOpen();
    }
    this.lent++;
    return conn;
  }

  /** Returns a connection; `discard` closes it instead (after a cancel, or when it is broken). */
  release(conn: C, discard = false): void {
    this.lent--;
    if (discard || this.closed || !this.driver.isAlive(conn) || this.idle.length >= this.settings.maxIdle)
      this.driver.close(conn);
    else this.idle.push({ conn, since: Date.now() });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.reaper);
    for (const { conn } of this.idle.splice(0)) this.driver.close(conn);
  }

  /** The most recently used healthy idle connection; stale ones are pinged, dead ones closed. */
  private async takeIdle(): Promise<C | undefined> {
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      const { conn, since } = entry;
      if (!this.driver.isAlive(conn)) {
        this.driver.close(conn);
        continue;
      }
      if (Date.now() - since < this.settings.validateAfterMs) return conn;
      try {
        await withTimeout(this.driver.ping(conn), this.settings.pingTimeoutMs);
        return conn;
      } catch {
        // The failed ping is the health check's verdict: this connection is gone. Close it and try
        // the next one (or open a new one); nothing was sent on it on the caller's behalf.
        this.driver.close(conn);
      }
    }
    return undefined;
  }

  private closeExpired(): void {
    const now = Date.now();
    // Oldest first: connections are pushed when released and reused from the end.
    while (this.idle[0] && now - this.idle[0].since >= this.settings.idleTimeoutMs) {
      const entry = this.idle.shift();
      if (entry) this.driver.close(entry.conn);
    }
  }

  private assertOpen(): void {
    if (this.closed)
      throw new TrellisError('SOURCE_UNAVAILABLE', { message: 'The data source is shutting down.' });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
