/**
 * A private, in-memory SQL engine over files in ONE folder (uploads' preview, by DuckDB's own readers
 * over the temp file; the checks are upload-check.ts). Never the serving engine: it holds no project
 * data, and file access is locked to `folder` before the caller gets it. The readers' SQL lives in
 * the engine (engines/duckdb/duckdb-scratch.ts); callers name a file and a format, never SQL.
 */
export type ScratchValue = string | number | boolean | null;

/** The formats the scratch engine's readers take. */
export type ScratchFileFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'parquet';

export interface ScratchDatabase {
  /** The columns the reader infers for the file: its header and the inferred type. */
  describeFile(file: string, format: ScratchFileFormat): Promise<{ name: string; type: string }[]>;
  /**
   * The first `limit` rows, by header. `allText`: CSV/TSV values read as text, so a preview shows what
   * the file holds rather than what a type guess made of it.
   */
  firstRows(
    file: string,
    format: ScratchFileFormat,
    limit: number,
    allText: boolean,
  ): Promise<Record<string, ScratchValue>[]>;
  /** The delimiter, quote and header detection of a CSV/TSV file, or null when nothing was sniffed. */
  sniffCsv(file: string): Promise<{ delimiter: string; quote: string; header: boolean } | null>;
  close(): Promise<void>;
}
