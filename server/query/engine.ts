import type { Cell } from '../../contract/index.js';
import type { ColumnType } from '../config/project/project.types.js';
import type { CompiledQuery } from './compiler.js';
import type { SqlDialect } from './dialect.js';

/**
 * The seam every SQL engine sits behind (DuckDB, PostgreSQL, MySQL/MariaDB). An engine owns its
 * connections, enforces the limits it is given, and maps its driver's failures to catalogue errors:
 * QUERY_TIMEOUT, QUERY_CANCELLED, RESULT_TOO_LARGE, SOURCE_BUSY, SOURCE_UNAVAILABLE, QUERY_FAILED.
 */
export interface Engine extends StreamingEngine {
  readonly dialect: SqlDialect;
  readonly capabilities: EngineCapabilities;
  run(query: CompiledQuery, options: RunOptions): Promise<QueryResult>;
  /** Column names and types of a query's result, without reading rows (for `trellis check`). */
  describe(query: CompiledQuery): Promise<DescribedColumn[]>;
  /** Resolves when the source answers a trivial query. */
  ping(): Promise<void>;
  stats(): EngineStats;
  /**
   * One tenant's place in this source's fair share (concurrency-limiter.ts): its running statements,
   * its waiting ones and how many it may run now. Per tenant on purpose: the health route spreads
   * stats() into a public answer, which must not list organisations.
   */
  tenantLoad(tenant: string): TenantLoad;
  close(): Promise<void>;
  /**
   * Optional capability of file engines: if the source's file was replaced (a pipeline published
   * new data), open the new one for the queries that follow; queries in flight finish on the old.
   * Resolves true when it reopened. Engines without files do not have it.
   */
  reopen?(): Promise<boolean>;
}

export interface EngineCapabilities {
  /** Can read CSV/Parquet/JSON files from allowed folders. */
  readonly readsFiles: boolean;
  /** Cancels a running statement on the server (not just abandons it). */
  readonly cancelsStatements: boolean;
}

export interface RunOptions {
  /** Aborting the signal cancels the running statement (client disconnected). */
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  /** More rows than this is RESULT_TOO_LARGE. */
  readonly maxRows: number;
  /** More bytes of row data (approximate, as JSON) than this is RESULT_TOO_LARGE. */
  readonly maxBytes: number;
  /**
   * Fairness key in the source's queue (the tenant id): free slots go round-robin across tenants,
   * so one tenant's burst cannot starve another. Absent: one shared key.
   */
  readonly tenant?: string;
  /** Second fairness level: the user within the tenant (round-robin among a tenant's users). */
  readonly user?: string;
}

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: Cell[][];
  readonly elapsedMs: number;
  /**
   * Set by the query runner: milliseconds between asking the engine and its statement starting —
   * the wait for a slot in the source's fair share (and a connection). Absent from engines' own results.
   */
  readonly waitedMs?: number;
}

export interface DescribedColumn {
  readonly name: string;
  /** Our column type, or undefined for types dashboards cannot use (lists, structs, blobs). */
  readonly type: ColumnType | undefined;
  readonly nativeType: string;
}

export interface TenantLoad {
  readonly running: number;
  readonly queued: number;
  /** ceil(pool size / active tenants), counting this one. */
  readonly share: number;
}

export interface EngineStats {
  readonly inFlight: number;
  readonly queued: number;
  readonly poolSize: number;
}

/**
 * Streaming reads (exports): rows arrive as batches, and the next batch is read only as the consumer
 * takes them — the engine waits (DuckDB stops fetching chunks, pg and mysql2 pause the socket) while
 * the consumer is slow, so memory stays flat in the number of rows. Breaking out of the loop (or the
 * signal) cancels the statement. There is no row limit here: the caller's SQL carries its LIMIT.
 */
export interface StreamingEngine {
  stream(query: CompiledQuery, options: StreamOptions): AsyncIterable<RowBatch>;
  /**
   * Optional capability: the engine writes the result to a file in a folder of its own (DuckDB's
   * `COPY (…) TO`), for formats it writes natively. Resolves with the file's path; the caller deletes it.
   */
  copyToFile?(query: CompiledQuery, format: CopyFormat, options: CopyOptions): Promise<string>;

  /**
   * Optional capability: the result as CSV data rows written by the engine itself into a file of its
   * own, in exactly the CSV of audit/csv.ts `csvDataLine` (formula-defused text, CRLF), no header.
   * Undefined when the result has a column type only the streamed writer renders. The caller deletes
   * the file; `rows` says how many it holds (the caller's LIMIT decides, as for streams).
   */
  copyCsvToFile?(query: CompiledQuery, options: StreamOptions): Promise<CsvCopy | undefined>;

  /**
   * Optional capability: the result as an XLSX sheet's `<row>` elements, one per line, written by the
   * engine itself into a file of its own (the cells of exports/xlsx-export.ts; rows numbered from 2).
   * Undefined as for `copyCsvToFile`. The caller wraps them in the sheet and deletes the file.
   */
  copyXlsxRowsToFile?(query: CompiledQuery, options: StreamOptions): Promise<CsvCopy | undefined>;
}

export interface CsvCopy {
  readonly file: string;
  readonly rows: number;
}

export type CopyFormat = 'parquet' | 'csv';

export interface StreamOptions {
  readonly signal?: AbortSignal;
  /** The whole stream, first row to last, must end within this. */
  readonly timeoutMs: number;
  readonly tenant?: string;
}

export interface CopyOptions extends StreamOptions {
  /**
   * Called with the file's path just before the engine starts writing it: a caller may send the
   * file while it grows (a format written front to back, as Parquet is), the copy's end still to come.
   */
  readonly onFile?: (file: string) => void;
}

export interface RowBatch {
  readonly columns: readonly string[];
  readonly rows: Cell[][];
}
