import type { SourceConfig } from '../config/project/project.schema.js';
import { parseDuration } from '../config/units.js';
import { TrellisError } from '../errors.js';
import type { CompiledQuery } from './compiler.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { CONNECT_RETRY, ConnectionPool, type PoolDriver } from './connection-pool.js';
import { BatchChannel } from './batch-channel.js';
import type { EngineStats, QueryResult, RowBatch, RunOptions, StreamOptions, TenantLoad } from './engine.js';
import { RowBudget } from './row-budget.js';

/**
 * What the database-server engines (PostgreSQL, MySQL) share, written once: the tenant-fair limiter in
 * front of a pool, a deadline per statement, cancellation of a running statement from a side
 * connection (repeated until it takes, then by force), and the mapping of failures onto catalogue
 * errors. Each engine supplies the driver-specific parts through ServerDriver.
 */
export interface ServerConnection {
  /** False once the connection failed, ended, or had a statement cancelled: it is never reused. */
  alive: boolean;
}

export interface ServerDriver<C extends ServerConnection> extends PoolDriver<C> {
  /** Asks the server, over `side`, to stop the statement running on `target`. */
  cancel(side: C, target: C): Promise<void>;
  /** Closes a connection's socket at once (the last resort when a cancel does not take). */
  destroy(conn: C): void;
  /** The driver refused the statement before sending it (the connection was already broken). */
  neverSent(err: unknown): boolean;
  /**
   * A driver failure as a catalogue error: SOURCE_UNAVAILABLE, QUERY_TIMEOUT or QUERY_FAILED. Any
   * failure to get a connection (`connecting`: refused, bad credentials, no such database) is
   * SOURCE_UNAVAILABLE.
   */
  toTrellisError(err: unknown, sql: string, connecting: boolean): TrellisError;
}

export interface ServerSettings {
  readonly poolSize: number;
  readonly queueLimit: number;
  readonly acquireTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly statementTimeoutMs: number | undefined;
}

/** A server source's pool and time limits (its `pool` block and `statement_timeout`), parsed. */
export function serverSettingsOf(
  source: Extract<SourceConfig, { type: 'postgres' | 'mysql' }>,
): ServerSettings {
  return {
    poolSize: source.pool.size,
    queueLimit: source.pool.queue,
    acquireTimeoutMs: parseDuration(source.pool.acquire_timeout),
    idleTimeoutMs: parseDuration(source.pool.idle_timeout),
    statementTimeoutMs:
      source.statement_timeout === undefined ? undefined : parseDuration(source.statement_timeout),
  };
}

/** What a piece of work gets: its deadline's signal and the error to report if that signal fires. */
export interface StatementContext {
  readonly signal: AbortSignal;
  readonly failure: () => TrellisError;
  /** The effective deadline: the query timeout, or the source's statement_timeout if lower. */
  readonly timeoutMs: number;
}

/** How a statement's driver events reach runInterruptible. */
export interface StatementEvents<T> {
  /** Ends the statement early (too many rows): it is cancelled and the promise rejects with `reason`. */
  stop(reason: TrellisError): void;
  readonly stopped: boolean;
  resolve(value: T): void;
  reject(err: unknown): void;
}

/**
 * The server's own statement limit trails our deadline by this much: our deadline cancels and reports
 * first; the server's is the backstop for a client that vanished without cancelling.
 */
export const SERVER_TIMEOUT_MARGIN_MS = 1_000;
/** Describing a query's columns (PREPARE, or LIMIT 0) when the source sets no statement limit. */
export const DESCRIBE_TIMEOUT_MS = 30_000;

/** What a driver failure is, as the engine reads its codes (ServerDriver.toTrellisError). */
export interface ServerFailure {
  /** The engine's name in the message: "PostgreSQL at db:5432 cannot be reached". */
  readonly engine: string;
  readonly target: string;
  readonly code: string | undefined;
  /** The server's own statement time limit ended it. */
  readonly timedOut: boolean;
  /** The server, or the way to it, failed (as opposed to the statement). */
  readonly connectionFailed: boolean;
}

/** The one mapping of a server engine's failure onto the catalogue: QUERY_TIMEOUT, SOURCE_UNAVAILABLE or QUERY_FAILED. */
export function serverFailure(
  err: unknown,
  sql: string,
  connecting: boolean,
  f: ServerFailure,
): TrellisError {
  if (err instanceof TrellisError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (f.timedOut) return new TrellisError('QUERY_TIMEOUT', { detail: { sql, error: message }, cause: err });
  if (connecting || f.connectionFailed)
    return new TrellisError('SOURCE_UNAVAILABLE', {
      message: `${f.engine} at ${f.target} cannot be reached: ${message}`,
      detail: { target: f.target, error: message, code: f.code },
      cause: err,
    });
  return new TrellisError('QUERY_FAILED', { detail: { sql, error: message, code: f.code }, cause: err });
}

/** Connections idle longer than this are pinged before reuse. */
const VALIDATE_AFTER_MS = 5_000;
/** A cancel that lands between protocol messages is dropped by the server, so it is repeated. */
const CANCEL_REPEAT_MS = 250;
/** After a cancel, how long the statement gets to stop before its socket is closed by force. */
const CANCEL_GRACE_MS = 2_000;

export class ServerEngineCore<C extends ServerConnection> {
  readonly limiter: ConcurrencyLimiter;
  private readonly pool: ConnectionPool<C>;
  /** Side connections for cancels: a cancel must not wait in the queue behind what it cancels. */
  private readonly cancelPool: ConnectionPool<C>;
  /** Statements in flight, to stop them when the engine closes. */
  private readonly running = new Set<(reason: TrellisError) => void>();
  private closed = false;

  constructor(
    private readonly driver: ServerDriver<C>,
    private readonly settings: ServerSettings,
  ) {
    const common = {
      idleTimeoutMs: settings.idleTimeoutMs,
      validateAfterMs: VALIDATE_AFTER_MS,
      pingTimeoutMs: settings.acquireTimeoutMs,
      retry: CONNECT_RETRY,
    };
    this.limiter = new ConcurrencyLimiter(settings.poolSize, settings.queueLimit, settings.acquireTimeoutMs);
    this.pool = new ConnectionPool(driver, { ...common, maxIdle: settings.poolSize });
    this.cancelPool = new ConnectionPool(driver, { ...common, maxIdle: 1 });
  }

  /**
   * The frame every statement runs in: the tenant-fair limiter, a deadline combined with the caller's
   * signal, a pooled connection, and the mapping of whatever goes wrong onto catalogue errors.
   */
  guarded<T>(
    query: CompiledQuery,
    options: Pick<RunOptions, 'signal' | 'timeoutMs' | 'tenant' | 'user'>,
    work: (conn: C, context: StatementContext) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = Math.min(options.timeoutMs, this.settings.statementTimeoutMs ?? Infinity);
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const failure = () =>
      deadline.aborted
        ? new TrellisError('QUERY_TIMEOUT', { detail: { timeoutMs, sql: query.sql } })
        : new TrellisError('QUERY_CANCELLED', { detail: { sql: query.sql } });
    const context = { signal, failure, timeoutMs };
    return this.limiter
      .run(() => this.withConnection(signal, (conn) => work(conn, context)), signal, {
        tenant: options.tenant,
        user: options.user,
      })
      .catch((err: unknown) => {
        if (signal.aborted && !(err instanceof TrellisError && err.code === 'RESULT_TOO_LARGE'))
          throw failure();
        if (err instanceof ConnectFailure) throw this.driver.toTrellisError(err.cause, query.sql, true);
        throw this.driver.toTrellisError(err, query.sql, false);
      });
  }

  /**
   * Runs one statement whose driver reports through events. When the signal aborts (client gone,
   * deadline) or the statement is stopped (too many rows), the server is asked to cancel it — again
   * every 250 ms until it ends, since a cancel that arrives between protocol messages is dropped — and
   * after a grace period its socket is closed. The connection is then never reused, so a late cancel
   * cannot hit the next query. Our own `stop` decides the outcome: some statements end quietly when
   * interrupted (MySQL's SLEEP and BENCHMARK return a value).
   */
  interruptible<T>(
    conn: C,
    context: StatementContext,
    start: (events: StatementEvents<T>) => void,
  ): Promise<T> {
    if (context.signal.aborted) return Promise.reject(context.failure());
    return new Promise<T>((resolve, reject) => {
      let stop: TrellisError | undefined;
      let settled = false;
      let cancelling = false;
      let repeat: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearInterval(repeat);
        clearTimeout(grace);
        context.signal.removeEventListener('abort', onAbort);
        this.running.delete(interrupt);
        settle();
      };
      const cancel = () => {
        if (cancelling || settled) return;
        cancelling = true;
        this.cancelOn(conn)
          .catch((err: unknown) => {
            // No side connection (server gone, too many connections): close our socket instead,
            // which ends the statement from our side. The cancel's failure goes with the error.
            stop =
              stop && withDetail(stop, { cancelError: err instanceof Error ? err.message : String(err) });
            this.driver.destroy(conn);
          })
          .finally(() => (cancelling = false));
      };
      const interrupt = (reason: TrellisError) => {
        if (stop || settled) return;
        stop = reason;
        conn.alive = false;
        cancel();
        repeat = setInterval(cancel, CANCEL_REPEAT_MS);
        grace = setTimeout(() => {
          this.driver.destroy(conn);
          finish(() => reject(stop));
        }, CANCEL_GRACE_MS);
      };
      const onAbort = () => interrupt(context.failure());
      context.signal.addEventListener('abort', onAbort, { once: true });
      this.running.add(interrupt);
      start({
        stop: interrupt,
        get stopped() {
          return stop !== undefined;
        },
        resolve: (value) => finish(() => (stop ? reject(stop) : resolve(value))),
        reject: (err) => finish(() => reject(stop ?? err)),
      });
    });
  }

  tenantLoad(tenant: string): TenantLoad {
    return this.limiter.loadOf(tenant);
  }

  stats(): EngineStats {
    return {
      inFlight: this.limiter.inFlight,
      queued: this.limiter.queued,
      poolSize: this.limiter.concurrency,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const stopping = new TrellisError('SOURCE_UNAVAILABLE', { message: 'The data source is shutting down.' });
    for (const stop of this.running) stop(stopping);
    this.pool.close(); // connections still lent out close when they come back
    this.cancelPool.close();
  }

  /**
   * A pooled connection for one piece of work. A statement the driver refused before sending it (the
   * connection had just failed) is retried on a fresh connection; nothing that may have run is.
   */
  private async withConnection<T>(signal: AbortSignal, fn: (conn: C) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const conn = await this.pool.acquire(signal).catch((err: unknown) => {
        throw new ConnectFailure(err);
      });
      try {
        return await fn(conn);
      } catch (err) {
        if (attempt >= CONNECT_RETRY.attempts || !this.driver.neverSent(err) || signal.aborted) throw err;
        conn.alive = false;
      } finally {
        this.pool.release(conn, !conn.alive);
      }
    }
  }

  private async cancelOn(target: C): Promise<void> {
    const side = await this.cancelPool.acquire();
    try {
      await this.driver.cancel(side, target);
    } finally {
      this.cancelPool.release(side, !side.alive);
    }
  }
}

/**
 * The Engine methods PostgreSQL and MySQL share word for word (run, ping, stats, close, open): each
 * engine supplies only `statement` (one statement's rows into a budget) and `describe`.
 */
/** A result field as engines report it: at least its name. */
export interface ServerField {
  readonly name: string;
}

export abstract class ServerEngineBase<C extends ServerConnection, F extends ServerField = ServerField> {
  readonly capabilities = { readsFiles: false, cancelsStatements: true };
  protected readonly core: ServerEngineCore<C>;

  protected constructor(
    driver: ServerDriver<C>,
    private readonly serverSettings: ServerSettings,
  ) {
    this.core = new ServerEngineCore(driver, serverSettings);
  }

  /** Sets the session's statement time limit (only when it changes: one round trip saved per query). */
  protected abstract applyStatementTimeout(conn: C, ms: number): Promise<void>;

  /**
   * Sends one statement on `conn` and feeds its rows, as text cells, to `budget`; resolves `events` with
   * the result's fields. The deadline, cancel and time limit are already arranged (statement()).
   */
  protected abstract sendStatement(
    conn: C,
    query: CompiledQuery,
    budget: RowBudget,
    events: StatementEvents<F[]>,
  ): void;

  /**
   * Sends one statement for an export, its rows in batches to `channel`, the connection paused while
   * the channel is full (RowBatcher); resolves `events` at the end. Arranged as for sendStatement.
   */
  protected abstract sendStream(
    conn: C,
    query: CompiledQuery,
    channel: BatchChannel,
    context: StatementContext,
    events: StatementEvents<void>,
  ): void;

  /** Runs one statement on `conn` under the server's time limit and our deadline; resolves with its fields. */
  protected async statement(
    conn: C,
    query: CompiledQuery,
    budget: RowBudget,
    context: StatementContext,
  ): Promise<F[]> {
    await this.applyStatementTimeout(conn, context.timeoutMs + SERVER_TIMEOUT_MARGIN_MS);
    return this.core.interruptible<F[]>(conn, context, (events) =>
      this.sendStatement(conn, query, budget, events),
    );
  }

  /** Rows in batches for exports: the same path as `run`. Leaving early cancels the statement. */
  stream(query: CompiledQuery, options: StreamOptions): AsyncIterable<RowBatch> {
    const channel = new BatchChannel();
    const signal = options.signal ? AbortSignal.any([channel.signal, options.signal]) : channel.signal;
    const guard = {
      signal,
      timeoutMs: options.timeoutMs,
      ...(options.tenant ? { tenant: options.tenant } : {}),
    };
    this.core
      .guarded(query, guard, async (conn, context) => {
        await this.applyStatementTimeout(conn, context.timeoutMs + SERVER_TIMEOUT_MARGIN_MS);
        return this.core.interruptible<void>(conn, context, (events) =>
          this.sendStream(conn, query, channel, context, events),
        );
      })
      .then(
        () => channel.end(),
        (err: unknown) => channel.fail(err),
      );
    return channel;
  }

  run(query: CompiledQuery, options: RunOptions): Promise<QueryResult> {
    return this.core.guarded(query, options, async (conn, context) => {
      const started = performance.now();
      const budget = new RowBudget(options, query.sql);
      const fields = await this.statement(conn, query, budget, context);
      return {
        columns: fields.map((f) => f.name),
        rows: budget.rows,
        elapsedMs: performance.now() - started,
      };
    });
  }

  /** One row of `sql`, with a timeout past the connect timeout so that a connect failure reports as such. */
  protected firstRow(sql: string): Promise<QueryResult> {
    const timeoutMs = this.serverSettings.acquireTimeoutMs + 2_000;
    return this.run({ sql, params: [] }, { timeoutMs, maxRows: 1, maxBytes: 1_000 });
  }

  async ping(): Promise<void> {
    await this.firstRow('SELECT 1');
  }

  stats(): EngineStats {
    return this.core.stats();
  }

  tenantLoad(tenant: string): TenantLoad {
    return this.core.tenantLoad(tenant);
  }

  async close(): Promise<void> {
    this.core.close();
  }
}

/**
 * Opens a server engine: `check` (by default a ping) must answer, so an unreachable source fails
 * here, clearly; on failure the engine is closed again.
 */
export async function openServerEngine<E extends ServerEngineBase<ServerConnection>>(
  engine: E,
  check: (engine: E) => Promise<void> = (e) => e.ping(),
): Promise<E> {
  try {
    await check(engine);
  } catch (err) {
    await engine.close();
    throw err;
  }
  return engine;
}

/** Getting a connection failed (after the pool's retries): whatever the cause, the source is unavailable. */
class ConnectFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('could not get a connection', { cause });
    this.name = 'ConnectFailure';
  }
}

function withDetail(err: TrellisError, extra: Record<string, unknown>): TrellisError {
  return new TrellisError(err.code, {
    message: err.message,
    detail: { ...err.detail, ...extra },
    cause: err.cause ?? err,
  });
}
