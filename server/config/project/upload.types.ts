import type { Role } from '../../../contract/index.js';
import type { UploadColumnType, UploadFormat, UploadMode } from './upload.schema.js';

/** A rule a value must pass; the validation report names the one that failed. */
export type UploadRule = 'required' | 'type' | 'unique' | 'allowed' | 'range' | 'pattern' | 'max_length';

export interface UploadColumn {
  readonly name: string;
  /** The header expected in the file (defaults to the name; matched case-insensitively, trimmed). */
  readonly header: string;
  readonly type: UploadColumnType;
  readonly required: boolean;
  readonly allowed: readonly string[] | null;
  readonly min: number | string | null;
  readonly max: number | string | null;
  readonly pattern: string | null;
  readonly maxLength: number | null;
}

/** An upload target after validation and cross-checking (uploads/<id>.yaml). */
export interface UploadTarget {
  readonly id: string;
  readonly file: string;
  readonly title: string;
  readonly description?: string;
  readonly role: Extract<Role, 'editor' | 'admin'>;
  readonly source: string;
  readonly sourceType: 'duckdb' | 'postgres' | 'mysql';
  readonly table: string;
  readonly tenantColumn: string;
  /** In file order. */
  readonly columns: readonly UploadColumn[];
  readonly key: readonly string[];
  readonly mode: UploadMode;
  readonly formats: readonly UploadFormat[];
  readonly limits: {
    readonly bytes: number;
    readonly rows: number;
    readonly columns: number;
    readonly cellBytes: number;
  };
  readonly extraColumns: 'reject' | 'ignore';
  readonly invalidRows: { readonly action: 'reject' | 'skip'; readonly maxShare: number };
  readonly keepVersions: number;
  /** Above this many rows the profile estimates distinct counts, quartiles and top values. */
  readonly profile: { readonly exactRows: number };
  /** Datasets on the target's source: they read what an import writes and are invalidated by it. */
  readonly datasets: readonly string[];
}
