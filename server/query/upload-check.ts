import type { UploadProfile } from '../../contract/uploads.schema.js';
import type { UploadColumn } from '../config/project/upload.types.js';

/**
 * Checking a received upload (docs/uploads.md): its columns matched to the target's, the validation
 * report, the profile, and the valid rows written typed for the import. The SQL lives in the engine
 * (engines/duckdb/duckdb-upload-*.ts); callers name a file, a format and a target, never SQL.
 */

/** At most this many failures are stored per upload (the counts are always complete). */
export const MAX_STORED_FAILURES = 10_000;
/** A failing value is stored and shown up to this many characters. */
export const MAX_FAILURE_VALUE = 200;

export type FailureRule =
  'required' | 'type' | 'unique' | 'allowed' | 'range' | 'pattern' | 'max_length' | 'cell_bytes';

export interface Failure {
  /** 1-based data row (the header line is not counted). */
  readonly row: number;
  readonly column: string;
  readonly value: string | null;
  readonly rule: FailureRule;
}

export interface Validation {
  readonly totalRows: number;
  readonly invalidRows: number;
  readonly failuresTotal: number;
  /** The first MAX_STORED_FAILURES failures, by row then column order. */
  readonly failures: readonly Failure[];
}

/** How the file's headers meet the target's declared columns (matched case-insensitively). */
export interface FileColumns {
  /** The file's headers, in file order. */
  readonly headers: readonly string[];
  /** Declared columns with the file position that fills them (null: not in the file). */
  readonly columns: readonly { readonly column: UploadColumn; readonly position: number | null }[];
  /** Headers that are no declared column. */
  readonly extra: readonly string[];
  /** Declared required columns the file lacks. */
  readonly missing: readonly string[];
  /** Headers that two file columns share (case-insensitively). */
  readonly duplicateHeaders: readonly string[];
  /** 1-based positions of columns without a header. */
  readonly blankHeaders: readonly number[];
}

/**
 * One private session over one received file. The file is read ONCE, when the session opens, into a
 * typed scratch table (spilling to the upload folder past its memory limit); every answer below is
 * computed from that table, never by reading the file again.
 */
export interface UploadCheck {
  readonly file: FileColumns;
  /** Rows in the file (the header not counted). */
  rows(): Promise<number>;
  /** Counts every failure and keeps the first MAX_STORED_FAILURES. */
  validate(): Promise<Validation>;
  /** Every column's profile and the quality score. */
  profile(): Promise<UploadProfile>;
  /**
   * The rows that pass every rule, typed and named as declared (absent columns NULL), in file order,
   * to a Parquet file at `rowsFile` (a path in the upload folder). Needs `validate()` first.
   */
  writeValidRows(rowsFile: string): Promise<void>;
  close(): Promise<void>;
}
