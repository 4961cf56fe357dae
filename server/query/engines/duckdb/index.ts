import type { Engine } from '../../engine.js';
import { duckdbSettings, type DuckDBSourceConfig } from './duckdb-config.js';
import { DuckDBEngine } from './duckdb-driver.js';

export function openDuckDB(source: DuckDBSourceConfig, projectDir: string): Promise<Engine> {
  return DuckDBEngine.open(duckdbSettings(source, projectDir));
}
export { importFilesIntoDuckDB, type FileTable } from './duckdb-file-import.js';
