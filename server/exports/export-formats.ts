import type { Cell, ResultColumn } from '../../contract/index.js';
import type { RowBatch } from '../query/engine.js';

export const EXPORT_FORMATS = ['csv', 'xlsx', 'parquet', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  parquet: 'application/vnd.apache.parquet',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * The formats a source can export: Parquet only where its engine writes it itself (`copyToFile`,
 * DuckDB); the row formats everywhere. The web menu offers exactly these.
 */
export function exportFormatsFor(engine: { readonly copyToFile?: unknown } | undefined): ExportFormat[] {
  return EXPORT_FORMATS.filter((f) => f !== 'parquet' || typeof engine?.copyToFile === 'function');
}

/** A worksheet holds 1,048,576 rows, the header included. */
export const XLSX_MAX_ROWS = 1_048_575;

/** What every row writer gets: the columns (keys, labels, types from the project) and the rows. */
export interface ExportSource {
  readonly columns: readonly ResultColumn[];
  readonly batches: AsyncIterable<RowBatch>;
}

export interface ExportOptions {
  /** CSV only: start with a UTF-8 byte order mark (Excel). */
  readonly bom?: boolean;
}

/** Rows of every batch, one at a time. */
export async function* rowsOf(batches: AsyncIterable<RowBatch>): AsyncGenerator<Cell[]> {
  for await (const batch of batches) yield* batch.rows;
}

/**
 * `<dashboard>-<widget>-<YYYY-MM-DD>.<ext>`, safe in a Content-Disposition header on any system:
 * ids come from project files, but only letters, digits, `_` and `-` pass, whatever they hold.
 */
export function exportFileName(dashboard: string, widget: string, format: ExportFormat, now: Date): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'export';
  return `${safe(dashboard)}-${safe(widget)}-${now.toISOString().slice(0, 10)}.${format}`;
}
