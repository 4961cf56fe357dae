/**
 * A private, in-memory SQL engine over files in ONE folder (uploads: preview and profile computed in
 * SQL by DuckDB's own readers over the temp file). Never the serving engine: it holds no project
 * data, and file access is locked to `folder` before the caller gets it.
 */
export type ScratchValue = string | number | boolean | null;

export interface ScratchDatabase {
  /** Rows as JSON-safe values (big integers, decimals, dates as text). Values are bound, never spliced. */
  all(sql: string, params: readonly (string | number)[]): Promise<Record<string, ScratchValue>[]>;
  close(): Promise<void>;
}
