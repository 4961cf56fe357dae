import { csvDataLine, UTF8_BOM } from '../audit/csv.js';
import type { ResultColumn } from '../../contract/index.js';
import type { ExportOptions, ExportSource } from './export-formats.js';

/** Lines are gathered to about this many characters per chunk written: fewer, larger writes. */
const CHUNK_CHARS = 64 * 1024;

/** CSV: a header of column labels, then the rows, formula-defused (audit/csv.ts). */
export async function* csvExport(source: ExportSource, options: ExportOptions = {}): AsyncGenerator<string> {
  yield csvHeader(source.columns, options.bom ?? false);
  let chunk = '';
  for await (const batch of source.batches) {
    for (const row of batch.rows) chunk += csvDataLine(row);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The CSV header line: column labels (formula-defused like any text), after the BOM when asked. */
export function csvHeader(columns: readonly ResultColumn[], bom: boolean): string {
  return (bom ? UTF8_BOM : '') + csvDataLine(columns.map((c) => c.label));
}

/** JSON: one array of objects keyed by column key. */
export async function* jsonExport(source: ExportSource): AsyncGenerator<string> {
  const keys = source.columns.map((c) => JSON.stringify(c.key));
  let chunk = '[';
  let first = true;
  for await (const batch of source.batches) {
    for (const row of batch.rows) {
      chunk += `${first ? '\n' : ',\n'}${objectOf(keys, row)}`;
      first = false;
    }
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}${first ? '' : '\n'}]\n`;
}

/** NDJSON: one object per line, keyed by column key. */
export async function* ndjsonExport(source: ExportSource): AsyncGenerator<string> {
  const keys = source.columns.map((c) => JSON.stringify(c.key));
  let chunk = '';
  for await (const batch of source.batches) {
    for (const row of batch.rows) chunk += `${objectOf(keys, row)}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function objectOf(quotedKeys: readonly string[], row: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < quotedKeys.length; i++) {
    const v = row[i];
    out += `${i ? ',' : ''}${quotedKeys[i]}:${v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? 'null' : JSON.stringify(v)}`;
  }
  return `${out}}`;
}
