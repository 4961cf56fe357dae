import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type ExcelJS from 'exceljs';
import { TrellisError } from '../errors.js';

/**
 * XLSX uploads become a CSV file (UTF-8, comma, every value quoted) that the CSV path reads like any
 * other. exceljs's streaming WorkbookReader reads one row at a time; nothing holds the sheet whole.
 *
 * Zip bombs: before exceljs inflates anything, one pass inflates every entry and counts its bytes
 * (`maxInflatedBytes` for the whole archive, `maxSharedStringsBytes` for the shared strings, which
 * exceljs keeps in memory), so a 40 KB file that inflates to gigabytes stops at the cap
 * (UPLOAD_XLSX_TOO_LARGE) with nothing written. While converting, rows and columns are capped too.
 *
 * Formula cells are stored as their formula text (`=SUM(A1:A3)`, `=cmd|…`): a value, never
 * evaluated, and defused like every text cell on any later export.
 */
export interface XlsxLimits {
  readonly maxInflatedBytes: number;
  readonly maxSharedStringsBytes: number;
  /** Data rows (the header not counted). */
  readonly maxRows: number;
  readonly maxColumns: number;
}

export interface XlsxConverted {
  readonly sheet: string;
  readonly sheets: readonly string[];
  readonly rows: number;
}

// unzipper is exceljs's own zip reader, declared in package.json at exceljs's version (one copy in
// node_modules). Its central-directory reader is used
// here: a truncated or broken zip is refused at once instead of waiting on a stream that never ends.
const require = createRequire(import.meta.url);
interface ZipDirectory {
  readonly files: readonly { readonly path: string; stream(): Readable }[];
}
const unzipper = require('unzipper') as { Open: { file(path: string): Promise<ZipDirectory> } };

/**
 * Inflates every entry once, counting the bytes that really come out (the sizes a zip declares can
 * lie); past a cap it stops with UPLOAD_XLSX_TOO_LARGE.
 */
export async function checkInflatedSize(file: string, limits: XlsxLimits): Promise<number> {
  let total = 0;
  try {
    const zip = await unzipper.Open.file(file);
    for (const e of zip.files) {
      let entry = 0;
      const stream = e.stream();
      try {
        for await (const chunk of stream) {
          entry += (chunk as Buffer).length;
          total += (chunk as Buffer).length;
          if (total > limits.maxInflatedBytes)
            throw tooLarge(`It unpacks to more than ${limits.maxInflatedBytes} bytes.`, { total });
          if (e.path === 'xl/sharedStrings.xml' && entry > limits.maxSharedStringsBytes)
            throw tooLarge(`Its shared strings unpack to more than ${limits.maxSharedStringsBytes} bytes.`, {
              entry: e.path,
            });
        }
      } finally {
        stream.destroy();
      }
    }
  } catch (err) {
    if (err instanceof TrellisError) throw err;
    throw new TrellisError('UPLOAD_UNREADABLE', { detail: { cause: (err as Error).message } });
  }
  return total;
}

/**
 * Converts one sheet (by name, case-insensitively; by default the first visible one) of `file` to
 * CSV in place. An unknown sheet is UPLOAD_SHEET_NOT_FOUND with the sheet names in its message.
 */
export async function xlsxToCsv(
  file: string,
  sheet: string | null,
  limits: XlsxLimits,
): Promise<XlsxConverted> {
  await checkInflatedSize(file, limits);
  const out = `${file}.csv`;
  const sink = createWriteStream(out, { mode: 0o600 });
  // A failed write (a full disk) surfaces through finished() below, never as an uncaught error.
  const written = finished(sink);
  written.catch(() => {});
  const sheets: string[] = [];
  let converted: { sheet: string; rows: number } | null = null;
  try {
    // Loaded on the first workbook, not at start (~8 MB of V8 heap most servers never need).
    const { default: excel } = await import('exceljs');
    const reader = new excel.stream.xlsx.WorkbookReader(file, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'cache', // dates are numbers styled as dates: the styles tell them apart
      entries: 'ignore',
    });
    for await (const ws of reader) {
      const meta = ws as unknown as { name?: string; state?: string };
      const name = meta.name ?? `Sheet${sheets.length + 1}`;
      sheets.push(name);
      const wanted =
        converted === null &&
        (sheet === null
          ? meta.state !== 'hidden' && meta.state !== 'veryHidden'
          : name.toLowerCase() === sheet.toLowerCase());
      if (!wanted) {
        // Read through, never skipped: when a sheet's entry comes before the shared strings in the
        // zip, exceljs has parked it in a temp file and opened a read stream on it, and it deletes
        // that file as soon as the loop moves on. A sheet left unread would see its file vanish
        // under the pending open: an uncaught ENOENT in the server.
        for await (const _row of ws) void _row;
        continue;
      }
      converted = { sheet: name, rows: await writeSheet(ws, sink, limits) };
    }
    sink.end();
    await written;
    if (!converted)
      throw new TrellisError('UPLOAD_SHEET_NOT_FOUND', {
        message:
          sheet === null
            ? 'The workbook has no visible sheet.'
            : `The workbook has no sheet "${sheet.slice(0, 100)}"; its sheets: ${sheets.join(', ').slice(0, 500)}.`,
        detail: { sheets },
      });
    await rename(out, file);
    return { ...converted, sheets };
  } catch (err) {
    // Closed in order (never destroyed mid-write), then removed.
    sink.end();
    await written.catch(() => {});
    await rm(out, { force: true });
    if (err instanceof TrellisError) throw err;
    throw new TrellisError('UPLOAD_UNREADABLE', { detail: { cause: (err as Error).message } });
  }
}

async function writeSheet(ws: ExcelJS.stream.xlsx.WorksheetReader, sink: WriteStream, limits: XlsxLimits) {
  let width = -1;
  let rows = 0;
  for await (const row of ws) {
    const values = (row.values as unknown[]).slice(1); // exceljs rows are 1-based
    if (values.length > limits.maxColumns)
      throw new TrellisError('UPLOAD_TOO_MANY_COLUMNS', {
        message: `Row ${row.number} has ${values.length} columns; this upload target allows ${limits.maxColumns}.`,
      });
    if (width < 0)
      width = values.length; // the first row is the header
    else if (++rows > limits.maxRows)
      throw tooLarge(`The sheet has more than ${limits.maxRows} rows.`, { maxRows: limits.maxRows });
    // A value right of the header has no column to go to: refused rather than silently dropped.
    if (values.slice(width).some((v) => cellText(v) !== ''))
      throw new TrellisError('UPLOAD_UNREADABLE', {
        message: `Row ${row.number} has a value right of the last header; give that column a header.`,
      });
    const cells: string[] = [];
    for (let i = 0; i < width; i++) cells.push(quote(cellText(values[i])));
    if (!sink.write(`${cells.join(',')}\n`)) await once(sink, 'drain');
  }
  return rows;
}

function quote(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** A cell as text: formulas as their formula, dates as ISO dates, rich text as its plain text. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  if (typeof v !== 'object') return String(v);
  const o = v as Record<string, unknown>;
  if (typeof o.formula === 'string') return `=${o.formula}`;
  if ('sharedFormula' in o) return cellText(o.result);
  if (Array.isArray(o.richText))
    return o.richText.map((r) => String((r as { text?: unknown }).text ?? '')).join('');
  if ('text' in o) return cellText(o.text);
  if ('error' in o) return String(o.error);
  return JSON.stringify(v);
}

function tooLarge(message: string, detail: Record<string, unknown>): TrellisError {
  return new TrellisError('UPLOAD_XLSX_TOO_LARGE', {
    message: `The workbook is too large to read. ${message}`,
    detail,
  });
}
