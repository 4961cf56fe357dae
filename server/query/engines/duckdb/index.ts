import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Engine } from '../../engine.js';
import type { IngestTarget, IngestWriterOptions, OpenedIngest } from '../../ingest-writer.js';
import type { ScratchDatabase } from '../../scratch-database.js';
import { DuckDBIngestWriter } from './duckdb-ingest-writer.js';
import { DuckDBScratch } from './duckdb-scratch.js';
import { DuckDBUploadCheck, type UploadCheckOptions } from './duckdb-upload-check.js';
import type { UploadCheck } from '../../upload-check.js';
import type { UploadFormat } from '../../../config/project/upload.schema.js';
import type { UploadTarget } from '../../../config/project/upload.types.js';
import { DuckDBVersionWriter } from './duckdb-version-writer.js';
export { versionedTableSql } from './duckdb-version-writer.js';
import type { VersionTarget, VersionWriter, VersionedTable } from '../../version-writer.js';
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
/**
 * Checks a received upload (upload-check.ts): the file read once into a private in-memory DuckDB
 * locked to `folder`, spilling to `options.spillDir`.
 */
export function openDuckDBUploadCheck(
  folder: string,
  file: string,
  format: UploadFormat,
  target: UploadTarget,
  options: UploadCheckOptions,
): Promise<UploadCheck> {
  return DuckDBUploadCheck.open(folder, file, format, target, options);
}
export { importFilesIntoDuckDB, type FileTable } from './duckdb-file-import.js';

/** A versioned-table session on a served DuckDB file (uploads' import and rollback). */
export function openDuckDBVersionWriter(
  target: Extract<VersionTarget, { kind: 'duckdb' }>,
  spec: VersionedTable,
): Promise<VersionWriter> {
  return DuckDBVersionWriter.open(target, spec);
}

/** Start-up recovery: removes a killed session's private copy of the served file; true when there was one. */
export function discardStaleDuckDBVersionSession(
  target: Extract<VersionTarget, { kind: 'duckdb' }>,
): Promise<boolean> {
  return DuckDBVersionWriter.discardStale(target);
}

/** Reads an upload's rows file in batches for a database server's import (a private DuckDB, locked to `readDir`). */
export { duckdbRowsFileReader } from './duckdb-rows-file.js';
