import type { Engine } from '../../engine.js';
import type { IngestTarget, IngestWriterOptions, OpenedIngest } from '../../ingest-writer.js';
import type { ScratchDatabase } from '../../scratch-database.js';
import { DuckDBIngestWriter } from './duckdb-ingest-writer.js';
import { DuckDBScratch } from './duckdb-scratch.js';
import { duckdbSettings, type DuckDBSourceConfig } from './duckdb-config.js';
import { DuckDBEngine } from './duckdb-engine.js';

export function openDuckDB(source: DuckDBSourceConfig, projectDir: string): Promise<Engine> {
  return DuckDBEngine.open(duckdbSettings(source, projectDir));
}

// What the rest of the server may use besides the opener: this file is the folder's only door.
export { duckdbDialect } from './duckdb-dialect.js';

/** The IngestWriter on a DuckDB file (pipelines: `data/<target>.ingest.duckdb`, published over the served file). */
export function openDuckDBIngestWriter(
  options: IngestWriterOptions & { readonly target: Extract<IngestTarget, { kind: 'duckdb' }> },
): Promise<OpenedIngest> {
  return DuckDBIngestWriter.open(options);
}

/** A private in-memory DuckDB that may read files in `folder` only (uploads' preview and profile). */
export function openDuckDBScratch(folder: string, memoryLimit = '256MB'): Promise<ScratchDatabase> {
  return DuckDBScratch.open(folder, memoryLimit);
}
export { importFilesIntoDuckDB, type FileTable } from './duckdb-file-import.js';
