import type { IngestReadQuery } from './ingest-read.js';

/**
 * The write side of the engine seam: how pipelines (and, next, uploads and enrichment) put rows into
 * a source. Each engine implements it in its own folder (engines/<name>/<name>-ingest-writer.ts);
 * callers obtain one through `openIngestWriter` (engines/index.ts) and never name an engine.
 *
 * The contract (engines/contract/ingest-writer-contract.test.ts runs it on every engine):
 * - `open` creates missing tables and columns with their declared types (plus the tenant column),
 *   and refuses a column whose type differs (IngestSchemaError) rather than storing into it.
 * - `writePage` is ONE transaction: for every key of the page, the rows of every table with that key
 *   (within the writer's organisation) are replaced by the page's rows — none if the page has none
 *   for that key — and the caller's checkpoint is stored. After a crash the target holds the page and
 *   its checkpoint, or neither: a resumed run neither skips nor repeats a page. "Replace by key", not
 *   an upsert per row, because a child table (a study's conditions) holds several rows per key.
 * - Rows of other organisations are never touched; reads (`count`, `maxValue`) see only the
 *   writer's organisation.
 * - `publish` makes everything committed so far visible to readers at once (DuckDB: the ingest file
 *   replaces the served one atomically; a database server: each commit already is).
 *
 * Identifiers come from validated project files only; values are bound (or appended), never spliced.
 */

export type IngestColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP';

export interface IngestTable {
  readonly name: string;
  readonly key: readonly string[];
  readonly columns: readonly { readonly name: string; readonly type: IngestColumnType }[];
}

/** A cell after coercion to its column type: DATE as 'YYYY-MM-DD', TIMESTAMP as 'YYYY-MM-DD HH:MM:SS[.fff]'. */
export type IngestCell = string | number | boolean | null;
/** Rows per table name, in the table's column order. */
export type IngestRows = ReadonlyMap<string, readonly (readonly IngestCell[])[]>;

/** Where the rows go: the target's engine and what that engine needs to open it. */
export type IngestTarget =
  | {
      readonly kind: 'duckdb';
      /** The file runs write and checkpoint (`<served>.ingest.duckdb`). */
      readonly ingestFile: string;
      /** The served file: the first ingest file is a copy of it (rows of other organisations stay). */
      readonly servedFile: string;
      /** The project's data folder: the only place file imports may read. */
      readonly dataDir: string;
      /** Settings of the ingest instance (memory is the pipeline process's main cost). */
      readonly memoryLimit: string;
      readonly threads: number;
    }
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'mysql'; readonly url: string };

export interface IngestWriterOptions {
  readonly target: IngestTarget;
  readonly tables: readonly IngestTable[];
  /**
   * Tables a page only appends to, in the same transaction (an enrichment's api_usage rows: what the
   * page's calls cost). Created like `tables`, never replaced by the page's keys; `key` is unused.
   */
  readonly ledgers?: readonly IngestTable[];
  readonly tenantColumn: string | null;
  readonly tenant: string;
}

export interface OpenedIngest {
  readonly writer: IngestWriter;
  /** Why the target was (re)built from what readers see, or null when it was reused as it was. */
  readonly rebuilt: string | null;
}

export type IngestFileFormat = 'csv' | 'parquet' | 'json';

export interface IngestWriter {
  /** Capability flags: callers check these, never the engine's name. */
  readonly capabilities: { readonly importsFiles: boolean };
  /** The checkpoint last committed under `stateKey` (one per pipeline and target), or null. */
  readState(stateKey: string): Promise<string | null>;
  saveState(stateKey: string, state: string): Promise<void>;
  /**
   * One page, replaced by key, with the checkpoint, in one transaction — and `appended` rows of the
   * `ledgers` tables inserted in that same transaction. Returns the page's rows inserted.
   */
  writePage(
    keys: readonly (readonly IngestCell[])[],
    rows: IngestRows,
    stateKey: string,
    state: string,
    appended?: IngestRows,
  ): Promise<number>;
  /**
   * Only when `capabilities.importsFiles`: one batch of a data-folder file (rows `offset` … `offset +
   * limit`) into the first table, cast to its types, replaced by key (the last row of a key wins), with
   * the checkpoint. Returns the rows read.
   */
  importFileBatch?(
    file: string,
    format: IngestFileFormat,
    offset: number,
    limit: number,
    stateKey: string,
    stateFor: (rowsRead: number) => string,
  ): Promise<number>;
  /** The largest value of a column among the organisation's rows, as text (incremental watermarks). */
  maxValue(table: string, column: string): Promise<string | null>;
  /** The organisation's rows in a table. */
  count(table: string): Promise<number>;
  /**
   * The next `limit` rows of a table in key order after `query.after`, filtered by their result rows
   * (ingest-read.ts), for enrichment. Values in `query.columns` order.
   */
  readRows(query: IngestReadQuery, limit: number): Promise<IngestCell[][]>;
  /** How many rows `readRows` would return in all (progress). */
  countRows(query: IngestReadQuery): Promise<number>;
  /** The organisation's rows of a table per value of a column (an enrichment's ok / failed). */
  countBy(table: string, column: string): Promise<Map<string, number>>;
  /** Makes everything committed visible to readers, atomically. */
  publish(): Promise<void>;
  close(): Promise<void>;
}

/** The target's tables do not fit the declared ones (a column of another type), or no table was given. */
export class IngestSchemaError extends Error {
  override readonly name = 'IngestSchemaError';
}

/** The tenant column appended to a table's declared columns, when the writer has one. */
export function storedColumns(
  table: IngestTable,
  tenantColumn: string | null,
): readonly { readonly name: string; readonly type: IngestColumnType }[] {
  return tenantColumn ? [...table.columns, { name: tenantColumn, type: 'VARCHAR' }] : table.columns;
}
