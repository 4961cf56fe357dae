import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBInstance,
  SQLNULL,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBTypeId,
} from '@duckdb/node-api';
import type { Cell } from '../../../../contract/index.js';
import { TrellisError } from '../../../errors.js';
import type { CompiledQuery } from '../../compiler.js';
import type { SqlValue } from '../../plan.js';
import { ConcurrencyLimiter } from '../../concurrency-limiter.js';
import { approximateBytes } from '../../row-budget.js';
import { BatchChannel } from '../../batch-channel.js';
import type {
  CopyFormat,
  CopyOptions,
  CsvCopy,
  DescribedColumn,
  Engine,
  EngineStats,
  TenantLoad,
  QueryResult,
  RowBatch,
  RunOptions,
  StreamOptions,
} from '../../engine.js';
import { duckdbDialect } from './duckdb-dialect.js';
import type { DuckDBSettings } from './duckdb-config.js';
import { DuckDBExportInstance } from './duckdb-export-instance.js';
import { csvCopySql } from './duckdb-csv-copy.js';
import { xlsxRowsCopySql } from './duckdb-xlsx-copy.js';
import { cellReaderFor, columnTypeOf } from './duckdb-introspector.js';
import { StatementCache } from './duckdb-statements.js';

/** A pooled connection, the statements prepared on it, and the instance (file) it belongs to. */
interface Pooled {
  readonly conn: DuckDBConnection;
  readonly statements: StatementCache;
  readonly owner: DuckDBInstance;
}

/**
 * Embedded DuckDB behind the Engine seam. One connection per in-flight query (queries on one
 * connection would run one after another), at most `poolSize` of them, so in-flight work stays
 * below the libuv pool the bindings run on. Timeouts and cancellations interrupt the connection.
 * Each connection keeps its prepared statements (duckdb-statements.ts); an interrupt or a failure
 * destroys them, closing the engine destroys them all.
 */
export class DuckDBEngine implements Engine {
  readonly dialect = duckdbDialect;
  readonly capabilities = { readsFiles: true, cancelsStatements: true };
  private readonly limiter: ConcurrencyLimiter;
  private readonly running = new Set<Pooled>();
  /** Exports' connections on the export instance, interrupted at close. */
  private readonly exporting = new Set<DuckDBConnection>();
  private readonly exportInstance: DuckDBExportInstance | undefined;
  /** Exports run again on the pool after running out of the export instance's memory (tests, diagnostics). */
  exportFallbacks = 0;
  private closed = false;

  private reopening: Promise<boolean> | undefined;

  private constructor(
    private instance: DuckDBInstance,
    private readonly idle: Pooled[],
    private readonly settings: DuckDBSettings,
    /** Which file is open (inode, size, mtime): a replaced file differs. */
    private identity: string,
  ) {
    // DuckDB runs in this process: its slots are this machine's cores (see LimiterOptions.cpuBound).
    this.limiter = new ConcurrencyLimiter(settings.poolSize, settings.queueLimit, undefined, {
      cpuBound: true,
    });
    this.exportInstance = settings.exportInstanceOptions
      ? new DuckDBExportInstance(settings, settings.exportInstanceOptions)
      : undefined;
  }

  static async open(settings: DuckDBSettings): Promise<DuckDBEngine> {
    const identity = await fileIdentity(settings.file);
    if (identity === undefined)
      throw new TrellisError('SOURCE_UNAVAILABLE', {
        message: `DuckDB file not found: ${settings.file}`,
        detail: { file: settings.file },
      });
    const { instance, pooled } = await openInstance(settings);
    return new DuckDBEngine(instance, pooled, settings, identity);
  }

  /**
   * Opens the file now at the source's path if it is another file than the one open (a pipeline
   * replaced it): new connections on a new instance serve the queries that follow; queries in
   * flight finish on the old instance, which closes after the last of them.
   */
  reopen(): Promise<boolean> {
    this.reopening ??= this.swap().finally(() => (this.reopening = undefined));
    return this.reopening;
  }

  private async swap(): Promise<boolean> {
    if (this.closed) return false;
    const identity = await fileIdentity(this.settings.file);
    if (identity === undefined || identity === this.identity) return false;
    const { instance, pooled } = await openInstance(this.settings);
    if (this.closed) {
      for (const p of pooled) closePooled(p);
      instance.closeSync();
      return false;
    }
    const old = this.instance;
    for (const p of this.idle.splice(0, this.idle.length, ...pooled)) closePooled(p);
    this.instance = instance;
    this.identity = identity;
    if (![...this.running].some((p) => p.owner === old)) old.closeSync();
    return true;
  }

  run(query: CompiledQuery, options: RunOptions): Promise<QueryResult> {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const failure = () =>
      deadline.aborted
        ? new TrellisError('QUERY_TIMEOUT', { detail: { timeoutMs: options.timeoutMs, sql: query.sql } })
        : new TrellisError('QUERY_CANCELLED', { detail: { sql: query.sql } });
    return this.limiter
      .run(() => this.withConnection((conn) => this.collect(conn, query, options, signal, failure)), signal, {
        tenant: options.tenant,
        user: options.user,
      })
      .catch((err: unknown) => {
        if (signal.aborted) throw failure();
        throw err;
      });
  }

  private async collect(
    pooled: Pooled,
    query: CompiledQuery,
    options: RunOptions,
    signal: AbortSignal,
    failure: () => TrellisError,
  ): Promise<QueryResult> {
    const started = performance.now();
    const rows: Cell[][] = [];
    let bytes = 0;
    const columns = await this.read(pooled, query, signal, failure, (chunk) => {
      for (const row of chunk) {
        bytes += approximateBytes(row);
        rows.push(row);
      }
      if (rows.length > options.maxRows)
        throw new TrellisError('RESULT_TOO_LARGE', {
          detail: { maxRows: options.maxRows, sql: query.sql },
        });
      if (bytes > options.maxBytes)
        throw new TrellisError('RESULT_TOO_LARGE', {
          detail: { maxBytes: options.maxBytes, sql: query.sql },
        });
    });
    return { columns, rows, elapsedMs: performance.now() - started };
  }

  /**
   * Runs a statement and hands its rows to `onChunk` one DuckDB chunk (2,048 rows) at a time; the
   * next chunk is fetched only after `onChunk` settles, which is how exports apply back-pressure.
   * Resolves with the column names.
   */
  private async read(
    { conn, statements }: Pooled,
    query: CompiledQuery,
    signal: AbortSignal,
    failure: () => TrellisError,
    onChunk: (rows: Cell[][], columns: readonly string[]) => void | Promise<void>,
  ): Promise<string[]> {
    // An interrupted streaming query can end quietly with partial rows, so our own flag decides.
    // DuckDB also forgets an interrupt that lands before execution begins, so once interrupted we
    // repeat it until the statement settles.
    let interrupted = signal.aborted;
    let repeat: NodeJS.Timeout | undefined;
    const interrupt = () => {
      interrupted = true;
      conn.interrupt();
      repeat ??= setInterval(() => conn.interrupt(), 50);
    };
    signal.addEventListener('abort', interrupt, { once: true });
    let settled = false;
    try {
      if (interrupted) throw failure();
      const prepared = await statements.get(query.sql);
      if (interrupted) throw failure();
      prepared.bind([...query.params], query.params.map(parameterType));
      const result = await prepared.stream();
      if (interrupted) throw failure();
      const columns = result.columnNames();
      const readers = result.columnTypes().map((t) => cellReaderFor(t.typeId));
      await onChunk([], columns); // a file needs its header even when no row comes
      for await (const chunk of result.yieldRowsJson()) {
        if (interrupted) break;
        await onChunk(
          chunk.map((raw) => raw.map((v, i) => (readers[i] ?? String)(v))),
          columns,
        );
      }
      if (interrupted) throw failure();
      settled = true;
      return columns;
    } catch (err) {
      if (interrupted) throw failure();
      if (err instanceof TrellisError) throw err;
      throw new TrellisError('QUERY_FAILED', {
        detail: { sql: query.sql, error: (err as Error).message },
        cause: err,
      });
    } finally {
      signal.removeEventListener('abort', interrupt);
      clearInterval(repeat);
      // An interrupt may land on any statement of this connection, and a failed or abandoned run
      // may leave a statement mid-stream: start again from freshly prepared ones.
      if (interrupted) statements.clear();
      else if (!settled) statements.evict(query.sql);
    }
  }

  stream(query: CompiledQuery, options: StreamOptions): AsyncIterable<RowBatch> {
    const channel = new BatchChannel();
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = AbortSignal.any([channel.signal, deadline, ...(options.signal ? [options.signal] : [])]);
    const failure = () =>
      deadline.aborted
        ? new TrellisError('QUERY_TIMEOUT', { detail: { timeoutMs: options.timeoutMs, sql: query.sql } })
        : new TrellisError('QUERY_CANCELLED', { detail: { sql: query.sql } });
    let delivered = false;
    const onChunk = async (rows: Cell[][], columns: readonly string[]) => {
      if (rows.length > 0) delivered = true;
      if (!channel.put({ columns, rows })) await channel.room();
    };
    this.limiter
      .run(
        () =>
          this.onExportInstance(
            (pooled) => this.read(pooled, query, signal, failure, onChunk),
            () => !delivered && !signal.aborted,
          ),
        signal,
        { tenant: options.tenant },
      )
      .then(
        () => channel.end(),
        (err: unknown) => channel.fail(signal.aborted ? failure() : err),
      );
    return channel;
  }

  /**
   * `COPY (query) TO '<file>'` into this engine's export folder (the only folder besides the data
   * folder it may write to; the name is ours, random). Parameters stay bound.
   */
  async copyToFile(query: CompiledQuery, format: CopyFormat, options: CopyOptions): Promise<string> {
    const folder = this.settings.exportDirectory;
    if (!folder) throw new Error('this DuckDB engine was opened without an export folder');
    const file = path.join(folder, `${randomUUID()}.${format}`);
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const copy: CompiledQuery = {
      sql: `COPY (${query.sql}) TO '${file}' (FORMAT ${format === 'parquet' ? 'parquet' : 'csv, HEADER true'})`,
      params: query.params,
    };
    const failure = () =>
      deadline.aborted
        ? new TrellisError('QUERY_TIMEOUT', { detail: { timeoutMs: options.timeoutMs, sql: query.sql } })
        : new TrellisError('QUERY_CANCELLED', { detail: { sql: query.sql } });
    try {
      await this.limiter.run(
        // On the pool, not the export instance: spilling made Parquet 1.3–4.5× slower than DuckDB's own
        // COPY (goal ≤ 1.2×) for −120 MB; a COPY holds no JS memory and is bounded by memory_limit.
        () =>
          this.withConnection((pooled) => {
            options.onFile?.(file);
            return this.read(pooled, copy, signal, failure, () => undefined);
          }),
        signal,
        { tenant: options.tenant },
      );
    } catch (err) {
      await rm(file, { force: true });
      if (signal.aborted) throw failure();
      throw err;
    }
    return file;
  }

  /**
   * The result as formula-safe CSV rows (no header) written by DuckDB itself into this engine's
   * export folder (duckdb-csv-copy.ts says the dialect): no value crosses into JS. On the export
   * instance like streamed exports — its capped memory spills a sort to disk — and, like them, run
   * again on the pool if DuckDB cannot fit the sort there. Resolves undefined (nothing written) when
   * a result column has a type only the JS writer renders; the caller streams those.
   */
  async copyCsvToFile(query: CompiledQuery, options: StreamOptions): Promise<CsvCopy | undefined> {
    return this.copyRowsToFile(query, options, 'csv', csvCopySql);
  }

  /**
   * The result as an XLSX sheet's `<row>` elements, one per line, written by DuckDB itself
   * (duckdb-xlsx-copy.ts) into this engine's export folder, on the export instance as CSV is.
   */
  async copyXlsxRowsToFile(query: CompiledQuery, options: StreamOptions): Promise<CsvCopy | undefined> {
    return this.copyRowsToFile(query, options, 'xml', xlsxRowsCopySql);
  }

  /** A `COPY` of the rows that `sqlFor` builds from the result's types (undefined: it cannot). */
  private async copyRowsToFile(
    query: CompiledQuery,
    options: StreamOptions,
    extension: string,
    sqlFor: (querySql: string, types: readonly DuckDBTypeId[], file: string) => string | undefined,
  ): Promise<CsvCopy | undefined> {
    const folder = this.settings.exportDirectory;
    if (!folder) return undefined;
    const file = path.join(folder, `${randomUUID()}.${extension}`);
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const failure = () =>
      deadline.aborted
        ? new TrellisError('QUERY_TIMEOUT', { detail: { timeoutMs: options.timeoutMs, sql: query.sql } })
        : new TrellisError('QUERY_CANCELLED', { detail: { sql: query.sql } });
    let rows = 0;
    const copyOn = async (pooled: Pooled): Promise<boolean> => {
      const prepared = await pooled.statements.get(query.sql);
      const types = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnTypeId(i));
      const sql = sqlFor(query.sql, types, file);
      if (!sql) return false;
      // COPY answers one row: how many rows it wrote.
      await this.read(pooled, { sql, params: query.params }, signal, failure, (chunk) => {
        const written = chunk[0]?.[0];
        if (written !== undefined && written !== null) rows = Number(written);
      });
      return true;
    };
    try {
      const copied = await this.limiter.run(
        () => this.onExportInstance(copyOn, () => !signal.aborted),
        signal,
        { tenant: options.tenant },
      );
      if (!copied) return undefined;
    } catch (err) {
      await rm(file, { force: true });
      if (signal.aborted) throw failure();
      throw err;
    }
    return { file, rows };
  }

  async describe(query: CompiledQuery): Promise<DescribedColumn[]> {
    return this.limiter.run(() =>
      this.withConnection(async ({ statements }) => {
        const prepared = await statements.get(query.sql);
        const out: DescribedColumn[] = [];
        for (let i = 0; i < prepared.columnCount; i++) {
          const typeId = prepared.columnTypeId(i);
          out.push({
            name: prepared.columnName(i),
            type: columnTypeOf(typeId),
            nativeType: prepared.columnType(i).toString(),
          });
        }
        return out;
      }),
    );
  }

  async ping(): Promise<void> {
    await this.run({ sql: 'SELECT 1', params: [] }, { timeoutMs: 2_000, maxRows: 1, maxBytes: 1_000 });
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { conn } of this.running) conn.interrupt();
    for (const conn of this.exporting) conn.interrupt();
    this.exportInstance?.close();
    for (const pooled of this.idle.splice(0)) closePooled(pooled);
    // Running connections close when their query settles (see withConnection).
    if (this.running.size === 0) this.instance.closeSync();
    if (this.settings.exportDirectory)
      await rm(this.settings.exportDirectory, { recursive: true, force: true });
  }

  /** Prepared statements cached per connection, and how many were prepared in all (tests, diagnostics). */
  statementStats(): { cached: number[]; prepared: number } {
    const all = [...this.idle, ...this.running];
    return {
      cached: all.map((p) => p.statements.size),
      prepared: all.reduce((n, p) => n + p.statements.prepared, 0),
    };
  }

  /**
   * Exports' streams run on the export instance — capped memory, sorts spilled to disk —
   * on a connection of their own, still inside the limiter's slots; the pool's connections and
   * memory stay with the dashboards. Without an export instance, on the pool like any query.
   */
  /**
   * On the export instance; but DuckDB cannot always spill a sort of long text within a small limit
   * (it fails "Out of Memory" where it would succeed with more), so a statement that ran out of
   * memory there before handing over a row is run again on the pool, uncapped, as before exports had
   * an instance of their own: such an export costs memory rather than fails.
   */
  private async onExportInstance<T>(fn: (pooled: Pooled) => Promise<T>, mayRetry: () => boolean): Promise<T> {
    try {
      return await this.withExportConnection(fn);
    } catch (err) {
      if (!this.exportInstance || !mayRetry() || !outOfMemory(err)) throw err;
      this.exportFallbacks++;
      return this.withConnection(fn);
    }
  }

  private async withExportConnection<T>(fn: (pooled: Pooled) => Promise<T>): Promise<T> {
    if (!this.exportInstance) return this.withConnection(fn);
    if (this.closed)
      throw new TrellisError('SOURCE_UNAVAILABLE', { message: 'The data source is shutting down.' });
    const { conn, release } = await this.exportInstance.connect(this.identity);
    const statements = new StatementCache(conn, 2);
    this.exporting.add(conn);
    try {
      return await fn({ conn, statements, owner: this.instance });
    } finally {
      this.exporting.delete(conn);
      statements.clear();
      release();
    }
  }

  private async withConnection<T>(fn: (pooled: Pooled) => Promise<T>): Promise<T> {
    if (this.closed)
      throw new TrellisError('SOURCE_UNAVAILABLE', { message: 'The data source is shutting down.' });
    const pooled = this.idle.pop();
    if (!pooled) throw new Error('DuckDB pool invariant broken: a slot was granted with no idle connection');
    this.running.add(pooled);
    try {
      return await fn(pooled);
    } finally {
      this.running.delete(pooled);
      if (this.closed) {
        closePooled(pooled);
        if (this.running.size === 0) this.instance.closeSync();
      } else if (pooled.owner !== this.instance) {
        // A connection to a file that was replaced meanwhile: its instance goes with its last query.
        closePooled(pooled);
        if (![...this.running].some((p) => p.owner === pooled.owner)) pooled.owner.closeSync();
      } else this.idle.push(pooled);
    }
  }
}

/** DuckDB's own out-of-memory failure (its message; the bindings give no code). */
function outOfMemory(err: unknown): boolean {
  const message =
    err instanceof TrellisError ? String((err.detail as { error?: unknown } | undefined)?.error ?? '') : '';
  return message.startsWith('Out of Memory Error');
}

/** Opens an instance on the file with its pool of locked-down connections. */
async function openInstance(
  settings: DuckDBSettings,
): Promise<{ instance: DuckDBInstance; pooled: Pooled[] }> {
  const instance = await DuckDBInstance.create(settings.file, settings.instanceOptions);
  const connections: DuckDBConnection[] = [];
  try {
    const first = await instance.connect();
    connections.push(first);
    for (const statement of settings.lockdown) await first.run(statement);
    for (let i = 1; i < settings.poolSize; i++) connections.push(await instance.connect());
  } catch (err) {
    for (const c of connections) c.closeSync();
    instance.closeSync();
    throw err;
  }
  const pooled = connections.map((conn) => ({
    conn,
    statements: new StatementCache(conn, settings.statementsPerConnection),
    owner: instance,
  }));
  return { instance, pooled };
}

/** The file's identity, or undefined when it is missing. */
async function fileIdentity(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file);
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function closePooled({ conn, statements }: Pooled): void {
  statements.clear();
  conn.closeSync();
}

/**
 * Explicit parameter types: left to infer, the driver reads an integral double such as -9.2e18 as
 * BIGINT and overflows. Safe integers are BIGINT (LIMIT/OFFSET need integers); other numbers DOUBLE.
 */
function parameterType(value: SqlValue): DuckDBType {
  if (value === null) return SQLNULL;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BIGINT : DOUBLE;
  if (typeof value === 'boolean') return BOOLEAN;
  return VARCHAR;
}
