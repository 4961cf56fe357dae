import type { PaginationDef, PipelineColumnType } from './pipeline.schema.js';

/** A pipeline after validation and cross-checking (pipelines/<id>.yaml): what the runner reads. */
export interface Pipeline {
  readonly id: string;
  readonly file: string;
  readonly title: string;
  readonly description?: string;
  readonly organisation: string;
  readonly schedule: string | null;
  readonly type: 'http' | 'file';
  readonly target: PipelineTarget;
  /** Gets the organisation's slug in every written row and scopes every key; null: rows are shared. */
  readonly tenantColumn: string | null;
  /** In file order. */
  readonly tables: readonly PipelineTable[];
  readonly http?: HttpSpec;
  readonly fileImport?: FileImportSpec;
  readonly map?: MapSpec;
  readonly incremental?: IncrementalSpec;
  readonly publishEvery: { readonly pages: number | null; readonly seconds: number | null };
  /** Rows written per run (all tables) before the run stops with PIPELINE_LIMIT_REACHED. */
  readonly maxRows: number;
  /** Datasets on the target's source: they read what this pipeline writes. */
  readonly datasets: readonly string[];
}

export interface PipelineTarget {
  readonly source: string;
  /** The served DuckDB file (absolute). */
  readonly file: string;
  /** `<file stem>.ingest.duckdb` beside it: where runs write and checkpoint. */
  readonly ingestFile: string;
  /** The project's data folder (absolute): file pipelines read only below it. */
  readonly dataDir: string;
}

export interface PipelineColumn {
  readonly name: string;
  readonly type: PipelineColumnType;
}

export interface PipelineTable {
  readonly name: string;
  readonly key: readonly string[];
  readonly columns: readonly PipelineColumn[];
}

export interface HttpSpec {
  readonly url: string;
  readonly urlEnv: string | null;
  readonly params: Readonly<Record<string, string>>;
  readonly pagination: PaginationDef;
  readonly items: string;
  readonly total: string | null;
  readonly rateLimit: number | null;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxPages: number;
  readonly maxPageBytes: number;
}

export interface FileImportSpec {
  readonly path: string;
  readonly format: 'csv' | 'parquet' | 'json';
  readonly batchRows: number;
}

export type MapSpec =
  | { readonly kind: 'transform'; readonly module: string; readonly exportName: string }
  | { readonly kind: 'rows'; readonly rows: readonly DeclarativeRows[] };

export interface DeclarativeRows {
  readonly table: string;
  readonly forEach: string | null;
  readonly fields: Readonly<Record<string, string>>;
}

export interface IncrementalSpec {
  readonly table: string;
  readonly column: string;
  readonly param: string;
  readonly value: string;
}
