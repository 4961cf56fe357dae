import type { RunInputSpec } from '../../../contract/run-inputs.js';
import type { PaginationDef, PipelineColumnType } from './pipeline.schema.js';

/** A pipeline after validation and cross-checking (pipelines/<id>.yaml): what the runner reads. */
export interface Pipeline {
  readonly id: string;
  readonly file: string;
  readonly title: string;
  readonly description?: string;
  readonly organisation: string;
  readonly schedule: string | null;
  readonly type: 'http' | 'file' | 'enrich';
  readonly target: PipelineTarget;
  /** Gets the organisation's slug in every written row and scopes every key; null: rows are shared. */
  readonly tenantColumn: string | null;
  /** In file order. */
  readonly tables: readonly PipelineTable[];
  readonly http?: HttpSpec;
  readonly fileImport?: FileImportSpec;
  readonly enrich?: EnrichSpec;
  /** Environment variables its requests use (`${env:NAME}`): they must be set where it runs. */
  readonly secrets: readonly string[];
  /** A named resource lock held for the whole run (docs/pipelines.md#locks). */
  readonly lock?: LockSpec;
  /** What a run asks for (`${input.<name>}` in requests), in file order; empty: none. */
  readonly inputs: readonly RunInputSpec[];
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
  /**
   * The source's `server_url_env`: when that variable holds a postgres:// or mysql:// URL where the
   * run starts, the source lives on that server, and runs write there (each batch a transaction)
   * instead of the ingest file.
   */
  readonly serverUrlEnv: string | null;
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
  /** Header values may hold `${env:NAME}`, resolved at run time. */
  readonly headers: Readonly<Record<string, string>>;
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

export interface LockSpec {
  readonly name: string;
  readonly wait: 'queue' | 'fail';
  readonly ttlMs: number;
  readonly maxWaitMs: number;
}

export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly urlEnv: string | null;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON with templates in string values; undefined: no body. */
  readonly body: unknown;
}

export interface PollSpec {
  readonly request: RequestSpec;
  /** Path of the job's status in the poll answer. */
  readonly status: string;
  readonly done: readonly string[];
  readonly failed: readonly string[];
  readonly intervalMs: number;
  readonly maxIntervalMs: number;
  readonly timeoutMs: number;
}

export interface RateLimitSpec {
  readonly name: string;
  readonly calls: number;
  readonly perMs: number;
  readonly burst: number;
}

/** The result table is the pipeline's only table; it also gets the ENRICH_STATUS_COLUMNS. */
export interface EnrichSpec {
  /**
   * The rows enriched: `table` of the target, or — with `dataset` — that dataset's rows (its table
   * or SQL, tenant-scoped like a widget's query); `table` is then the dataset's id, for messages.
   */
  readonly from: {
    readonly table: string;
    readonly dataset: string | null;
    readonly columns: readonly string[];
    /** A `keys` input that, when given, limits a run to the rows with those keys (one-column key). */
    readonly keysInput?: string;
  };
  readonly rows: 'pending' | 'failed' | 'all';
  readonly batch: number;
  readonly concurrency: number;
  readonly request: RequestSpec;
  /** Launch-then-poll: `request` launches, `poll` waits for the job, `fetch` (or the last poll) answers. */
  readonly poll: PollSpec | null;
  readonly fetch: RequestSpec | null;
  readonly rateLimit: RateLimitSpec | null;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly circuit: { readonly failures: number; readonly coolDownMs: number };
  /** Result column → path in the response. */
  readonly result: Readonly<Record<string, string>>;
  readonly maxResponseBytes: number;
  readonly costPerCall: number;
}

/** The usage ledger every enrichment target gets (jobs/pipelines/enrich-pipeline-run.ts API_USAGE_TABLE). */
export const API_USAGE_TABLE_NAME = 'api_usage';

/** Added to an enrich pipeline's result table: what became of each row's call. */
export const ENRICH_STATUS_COLUMNS = [
  { name: 'status', type: 'VARCHAR' },
  { name: 'error', type: 'VARCHAR' },
  { name: 'attempts', type: 'INTEGER' },
  { name: 'enriched_at', type: 'TIMESTAMP' },
] as const;
