import type { IngestColumnType } from './ingest-writer.js';

/**
 * The write side of uploads on the engine seam: versioned tables. Each engine implements it in its
 * own folder; callers obtain one through `openVersionWriter` (engines/index.ts).
 *
 * The design (docs/uploads.md, "Versions"): every version's rows live in ONE storage table
 * `<table>__versions`, tagged with the version number and the tenant; a pointer table
 * `_trellis_upload_current (target, tenant, version)` names each organisation's current version; and
 * `<table>` is a VIEW of the storage rows whose (tenant, version) the pointer names. So an import
 * (rows in, pointer switched) and a rollback (pointer switched) are each one commit, and readers see
 * the old version or the new, never a mix; other organisations' rows are never touched.
 *
 * A writer is a session: changes are invisible until `publish` (DuckDB: a private copy of the served
 * file renamed over it; a database server: one transaction committed). `close` without `publish`
 * discards them.
 */
export interface VersionedTable {
  /** The upload target's id: the pointer table's key. */
  readonly target: string;
  readonly table: string;
  readonly tenantColumn: string;
  readonly columns: readonly { readonly name: string; readonly type: IngestColumnType }[];
  readonly key: readonly string[];
}

export type VersionMode = 'replace' | 'append' | 'upsert';

/** Where the rows file is read from: a private DuckDB reads it in batches (bounded memory). */
interface RowsFileAccess {
  /** The folder the rows file lies in (the only folder the session may read besides the data folder). */
  readonly readDir: string;
  readonly memoryLimit: string;
  readonly threads: number;
}

export type VersionTarget =
  | (RowsFileAccess & {
      readonly kind: 'duckdb';
      /** The served DuckDB file (the session works on a private copy beside it). */
      readonly servedFile: string;
    })
  /**
   * A database server (the connection URL, a secret from the environment): the session is one
   * transaction; the rows stream in by the server's bulk path (PostgreSQL COPY, MySQL multi-row INSERT).
   */
  | (RowsFileAccess & { readonly kind: 'postgres' | 'mysql'; readonly url: string });

/** A row of the rows file in declared column order: DATE as 'YYYY-MM-DD', TIMESTAMP as text, BIGINT as text. */
export type VersionCell = string | number | boolean | null;

/**
 * Reads a rows file (Parquet, the declared columns) in batches of at most `batchRows`, in file order;
 * the next batch is read only when the consumer asks, so memory stays bounded by one batch.
 */
export type RowsFileReader = (
  rowsFile: string,
  columns: VersionedTable['columns'],
  batchRows: number,
) => AsyncIterable<readonly (readonly VersionCell[])[]>;

export interface VersionWriter {
  /**
   * Version `version` of `tenant` := the rows of `rowsFile` (Parquet, the declared columns by name,
   * already typed), merged with the current version by `mode`; then the pointer names it. Returns
   * the new version's rows.
   */
  importVersion(tenant: string, version: number, mode: VersionMode, rowsFile: string): Promise<number>;
  /** The pointer names `version` (a rollback); false when that version's rows are gone. */
  switchTo(tenant: string, version: number): Promise<boolean>;
  /** Deletes the rows of these versions (retention); never the current one. */
  removeVersions(tenant: string, versions: readonly number[]): Promise<void>;
  /** The version the pointer names for `tenant`, or null. */
  currentVersion(tenant: string): Promise<number | null>;
  /** Rows of one version of `tenant`. */
  count(tenant: string, version: number): Promise<number>;
  /** Makes every change of the session visible at once. */
  publish(): Promise<void>;
  close(): Promise<void>;
}

export class VersionSchemaError extends Error {
  override readonly name = 'VersionSchemaError';
}
