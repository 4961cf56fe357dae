import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Engine } from '../../engine.js';
import { duckdbSettings, type DuckDBSourceConfig } from './duckdb-config.js';
import { DuckDBEngine } from './duckdb-engine.js';

/**
 * Opens a DuckDB source with a private export folder (mode 0700, random name) that `COPY … TO` may
 * write Parquet files into; the engine removes it when it closes.
 */
export async function openDuckDB(source: DuckDBSourceConfig, projectDir: string): Promise<Engine> {
  const exportDirectory = await mkdtemp(path.join(tmpdir(), 'trellis-duckdb-export-'));
  try {
    return await DuckDBEngine.open(duckdbSettings(source, projectDir, exportDirectory));
  } catch (err) {
    await rm(exportDirectory, { recursive: true, force: true });
    throw err;
  }
}

// What the rest of the server may use besides the opener: this file is the folder's only door.
export { duckdbDialect } from './duckdb-dialect.js';
export {
  DuckDBIngestWriter,
  IngestSchemaError,
  fileFingerprint,
  type IngestCell,
  type IngestColumnType,
  type IngestRows,
  type IngestTable,
  type IngestWriterOptions,
  type OpenedIngest,
} from './duckdb-ingest-writer.js';
export { importFilesIntoDuckDB, type FileTable } from './duckdb-file-import.js';
