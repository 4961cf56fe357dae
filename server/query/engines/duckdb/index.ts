import type { Engine } from '../../engine.js';
import { duckdbSettings, type DuckDBSourceConfig } from './duckdb-config.js';
import { DuckDBEngine } from './duckdb-engine.js';

export function openDuckDB(source: DuckDBSourceConfig, projectDir: string): Promise<Engine> {
  return DuckDBEngine.open(duckdbSettings(source, projectDir));
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
