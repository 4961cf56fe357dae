import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { TrellisError } from '../errors.js';
import { SheetToCsv } from './xlsx/sheet-csv.js';
import { readSharedStrings } from './xlsx/shared-strings.js';
import { readDateStyles, readWorkbook } from './xlsx/workbook-parts.js';
import { unreadable, ZipArchive, type InflateBudget } from './xlsx/zip-entries.js';

/**
 * XLSX uploads become a CSV file (UTF-8, comma, every value quoted) that the CSV path reads like any
 * other. Our own streaming reader (server/uploads/xlsx/): the zip's central directory gives random
 * access to its parts, so only the workbook, its relationships, the styles, the shared strings and
 * the one chosen sheet are inflated, in that order whatever their order in the archive; the sheet's
 * XML is scanned a chunk at a time and written as CSV lines with back-pressure. Nothing holds the
 * sheet whole.
 *
 * Zip bombs: every inflated byte is counted as it comes out (`maxInflatedBytes` for all the parts
 * read, `maxSharedStringsBytes` for the shared strings, which are kept in memory), and declared
 * sizes are checked before inflating and against what comes out, so a 40 KB file that inflates to
 * gigabytes stops at the cap (UPLOAD_XLSX_TOO_LARGE) or at its lie (UPLOAD_UNREADABLE). While
 * converting, rows and columns are capped too.
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

/** CSV is gathered to about this size before one write (a write per line costs more than the line). */
const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * Converts one sheet (by name, case-insensitively; by default the first visible one) of `file` to
 * CSV in place. An unknown sheet is UPLOAD_SHEET_NOT_FOUND with the sheet names in its message.
 */
export async function xlsxToCsv(
  file: string,
  sheet: string | null,
  limits: XlsxLimits,
): Promise<XlsxConverted> {
  try {
    return await convert(file, sheet, limits);
  } catch (err) {
    if (err instanceof TrellisError) throw err;
    throw new TrellisError('UPLOAD_UNREADABLE', { detail: { cause: (err as Error).message } });
  }
}

async function convert(file: string, sheet: string | null, limits: XlsxLimits): Promise<XlsxConverted> {
  const zip = await ZipArchive.open(file);
  const budget: InflateBudget = { used: 0, max: limits.maxInflatedBytes };
  const book = await readWorkbook(zip, budget);
  const sheets = book.sheets.map((s) => s.name);
  const chosen =
    sheet === null
      ? book.sheets.find((s) => !s.hidden)
      : book.sheets.find((s) => s.name.toLowerCase() === sheet.toLowerCase());
  if (!chosen)
    throw new TrellisError('UPLOAD_SHEET_NOT_FOUND', {
      message:
        sheet === null
          ? 'The workbook has no visible sheet.'
          : `The workbook has no sheet "${sheet.slice(0, 100)}"; its sheets: ${sheets.join(', ').slice(0, 500)}.`,
      detail: { sheets },
    });
  const entry = chosen.part ? zip.entry(chosen.part) : undefined;
  if (!entry) throw unreadable(`sheet ${chosen.name} has no part`);
  const dateStyles = await readDateStyles(zip, book.stylesPart, budget);
  const shared = await readSharedStrings(zip, book.sharedStringsPart, budget, limits.maxSharedStringsBytes);

  const out = `${file}.csv`;
  const sink = createWriteStream(out, { mode: 0o600 });
  // A failed write (a full disk) surfaces through finished() below, never as an uncaught error.
  const written = finished(sink);
  written.catch(() => {});
  try {
    const csv = new SheetToCsv(limits, shared, dateStyles, book.date1904);
    const flush = async () => {
      if (!sink.write(csv.take())) await once(sink, 'drain');
    };
    for await (const chunk of zip.chunks(entry, budget, limits.maxInflatedBytes, 'Its sheet unpacks')) {
      csv.feed(chunk);
      while (!csv.run()) await flush();
      if (csv.pendingBytes >= WRITE_BATCH_BYTES) await flush();
    }
    csv.end();
    if (csv.pendingBytes > 0) await flush();
    sink.end();
    await written;
    await rename(out, file);
    return { sheet: chosen.name, sheets, rows: csv.rows };
  } catch (err) {
    // Closed in order (never destroyed mid-write), then removed.
    sink.end();
    await written.catch(() => {});
    await rm(out, { force: true });
    throw err;
  }
}
