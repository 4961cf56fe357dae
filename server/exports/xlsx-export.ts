import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Cell, ResultColumn } from '../../contract/index.js';
import type { RowBatch } from '../query/engine.js';
import type { ExportSource } from './export-formats.js';

const DATE_FORMAT = 'yyyy-mm-dd';
const TIMESTAMP_FORMAT = 'yyyy-mm-dd hh:mm:ss';
/** Characters: a column is as wide as its header and the widest value of the first batch, within these. */
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;

/**
 * XLSX through exceljs's streaming WorkbookWriter: rows are committed as they come (the sheet is
 * never whole in memory), cells typed (numbers, booleans, dates and timestamps as Excel dates, text as
 * text — an XLSX string is never a formula, so no defusing is needed), the header frozen, each
 * column as wide as its content. The next batch is read only once the output has drained.
 */
export function xlsxExport(source: ExportSource): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  void write(workbook, out, source).catch((err: unknown) => out.destroy(err as Error));
  return out;
}

async function write(workbook: ExcelJS.stream.xlsx.WorkbookWriter, out: PassThrough, source: ExportSource) {
  const iterator = source.batches[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    const sample = first.done ? [] : first.value.rows;
    const sheet = workbook.addWorksheet('Data', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = source.columns.map((c, i) => ({
      header: c.label,
      key: c.key,
      width: widthOf(c, sample, i),
      ...(c.type === 'date'
        ? { style: { numFmt: DATE_FORMAT } }
        : c.type === 'timestamp'
          ? { style: { numFmt: TIMESTAMP_FORMAT } }
          : {}),
    }));
    sheet.getRow(1).font = { bold: true };
    const types = source.columns.map((c) => c.type);
    let batch: RowBatch | undefined = first.done ? undefined : first.value;
    while (batch) {
      for (const row of batch.rows) sheet.addRow(row.map((v, i) => typed(v, types[i]))).commit();
      if (out.destroyed) return; // the client went away: `finally` stops the query
      await zipCaughtUp(sheet, out);
      if (out.writableNeedDrain) await drained(out);
      if (out.destroyed) return;
      const next = await iterator.next();
      batch = next.done ? undefined : next.value;
    }
    sheet.commit();
    await workbook.commit();
  } finally {
    await iterator.return?.();
  }
}

/** Bytes of sheet XML allowed to wait for the zip's deflate before the next batch is read. */
const ZIP_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * exceljs writes the sheet's XML into the zip without heeding back-pressure (its StreamBuf ignores
 * `write()` returning false), so when deflate is slower than rows arrive the XML piles up in memory
 * (measured: +650 MB for 1 M rows). The zip's input stream is reachable through the sheet's stream
 * (private to exceljs 4; if that changes, this stops waiting and `npm run bench -- export` shows it);
 * the next batch waits while its backlog is above ZIP_BACKLOG_BYTES.
 */
async function zipCaughtUp(sheet: ExcelJS.Worksheet, out: PassThrough): Promise<void> {
  const pipes = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  // archiver's streams come from readable-stream 2, which has no `writableLength`: read its state.
  const input = pipes?.[0] as
    | { _writableState?: { length?: number }; _readableState?: { length?: number }; destroyed?: boolean }
    | undefined;
  const backlog = () => (input?._writableState?.length ?? 0) + (input?._readableState?.length ?? 0);
  while (backlog() > ZIP_BACKLOG_BYTES && !input?.destroyed && !out.destroyed)
    await new Promise((resolve) => setTimeout(resolve, 5));
}

function drained(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });
}

function typed(value: Cell | undefined, type: ResultColumn['type'] | undefined): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if ((type === 'date' || type === 'timestamp') && typeof value === 'string') {
    // 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SS[.fff]' in UTC, as every engine answers (cell-values.ts).
    const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : `${value}Z`);
    return Number.isFinite(ms) ? new Date(ms) : value;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value === 'string') return xlsxText(value);
  return value;
}

/**
 * Text as a worksheet can hold it: XML 1.0 has no place for most control characters (they would make
 * the file unreadable) and reads every CR as a line feed, so line breaks become LF and the other
 * control characters, unpaired surrogates and U+FFFE/U+FFFF are dropped. docs/exports.md says so.
 */
export function xlsxText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(XML_UNFIT, '');
}

const XML_UNFIT =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function widthOf(column: ResultColumn, sample: readonly Cell[][], index: number): number {
  let width = column.label.length;
  if (column.type === 'date') width = Math.max(width, 10);
  else if (column.type === 'timestamp') width = Math.max(width, 19);
  else
    for (const row of sample.slice(0, 500)) {
      const v = row[index];
      if (v !== null && v !== undefined) width = Math.max(width, String(v).length);
    }
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width + 2));
}
