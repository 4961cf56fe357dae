import { Readable } from 'node:stream';
import type { Cell, ResultColumn } from '../../contract/index.js';
import { TrellisError } from '../errors.js';
import type { RowBatch } from '../query/engine.js';
import type { ExportSource } from './export-formats.js';
import { ZipSizeLimit, ZipWriter } from './zip-writer.js';

/** Characters: a column is as wide as its header and the widest value of the first batch, within these. */
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;
/** Excel's serial day of 1970-01-01 (its day 0 is 1899-12-30). */
const EPOCH_DAY = 25569;
const MS_PER_DAY = 86_400_000;
const PIECE_CHARS = 64 * 1024;
/** Cell styles (styles.xml's cellXfs, in order): default, date, timestamp, bold header. */
const STYLE = { date: 1, timestamp: 2, header: 3 } as const;

/**
 * XLSX written by our own streaming writer (SpreadsheetML by hand, zip-writer.ts for the package): one
 * sheet "Data" whose XML is made batch by batch and deflated as it goes, so memory holds one batch's
 * XML and zlib's window whatever the row count (exceljs's WorkbookWriter, used before, built an object
 * per row and cell and fed its zip without back-pressure: +250 MB for 1 M rows, docs/performance.md).
 * Cells are typed — numbers and booleans as such, dates and timestamps as Excel dates with a date
 * format, text as inline strings (an XLSX string is never a formula, so no defusing is needed) — the
 * header row bold and frozen, each column as wide as its content. Nulls, non-finite numbers and empty
 * text are no cell at all. The next batch is read only when the client has taken the previous bytes.
 */
export function xlsxExport(source: ExportSource, options: { readonly zipLimit?: number } = {}): Readable {
  return Readable.from(workbook(sheet(source), options.zipLimit), { objectMode: false });
}

/**
 * The same workbook around `<row>` elements an engine wrote itself (Engine.copyXlsxRowsToFile: rows
 * numbered from 2, cells as `cellXml` makes them), read from `rows` as they are sent. No row is seen
 * here, so each column is as wide as its header and its type, not its values.
 */
export function xlsxAroundRows(columns: readonly ResultColumn[], rows: AsyncIterable<Buffer>): Readable {
  async function* sheetOf(): AsyncGenerator<Buffer> {
    yield Buffer.from(sheetHead(columns, []), 'utf8');
    yield* rows;
    yield Buffer.from(SHEET_TAIL, 'utf8');
  }
  return Readable.from(workbook(sheetOf(), undefined), { objectMode: false });
}

async function* workbook(
  sheetXml: AsyncIterable<Buffer>,
  zipLimit: number | undefined,
): AsyncGenerator<Buffer> {
  const zip = new ZipWriter(new Date(), zipLimit);
  try {
    yield zip.file('[Content_Types].xml', CONTENT_TYPES);
    yield zip.file('_rels/.rels', ROOT_RELS);
    yield zip.file('xl/workbook.xml', WORKBOOK);
    yield zip.file('xl/_rels/workbook.xml.rels', WORKBOOK_RELS);
    yield zip.file('xl/styles.xml', STYLES);
    yield* zip.stream('xl/worksheets/sheet1.xml', sheetXml);
    yield zip.end();
  } catch (err) {
    if (err instanceof ZipSizeLimit)
      throw new TrellisError('EXPORT_TOO_LARGE', {
        message:
          'This export is larger than an XLSX file can hold here (4 GB of sheet data). Choose CSV or Parquet, or narrow the filters.',
        detail: { format: 'xlsx' },
        cause: err,
      });
    throw err;
  }
}

/** The sheet's XML in pieces: head (views, widths, header row), one piece per batch, tail. */
async function* sheet(source: ExportSource): AsyncGenerator<Buffer> {
  const iterator = source.batches[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    const columns = source.columns;
    const refs = columns.map((_, i) => columnName(i));
    yield Buffer.from(sheetHead(columns, first.done ? [] : first.value.rows), 'utf8');
    const types = columns.map((c) => c.type);
    let r = 1;
    let batch: RowBatch | undefined = first.done ? undefined : first.value;
    while (batch) {
      let xml = '';
      for (const row of batch.rows) {
        r++;
        let cells = '';
        for (let j = 0; j < row.length && j < types.length; j++)
          cells += cellXml(row[j], types[j], `${refs[j]}${r}`);
        // A row of nothing but empty cells is no row (the sheet's last row is its last with a value).
        if (cells !== '') xml += `<row r="${r}">${cells}</row>`;
        // Pieces of ~64 KB: a batch's XML as one string would be flattened in V8's large-object space.
        if (xml.length > PIECE_CHARS) {
          yield Buffer.from(xml, 'utf8');
          xml = '';
        }
      }
      if (xml !== '') yield Buffer.from(xml, 'utf8');
      const next = await iterator.next();
      batch = next.done ? undefined : next.value;
    }
    yield Buffer.from(SHEET_TAIL, 'utf8');
  } finally {
    await iterator.return?.();
  }
}

/** Up to the first data row: views, column widths (from the header, the type and `sample`), the header row. */
function sheetHead(columns: readonly ResultColumn[], sample: readonly Cell[][]): string {
  const widths = columns
    .map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${widthOf(c, sample, i)}" customWidth="1"/>`)
    .join('');
  const header = columns
    .map((c, i) => (c.label === '' ? '' : textCell(`${columnName(i)}1`, xlsxText(c.label), STYLE.header)))
    .join('');
  return `${SHEET_HEAD}${columns.length ? `<cols>${widths}</cols>` : ''}<sheetData><row r="1">${header}</row>`;
}

function cellXml(value: Cell | undefined, type: ResultColumn['type'] | undefined, ref: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? `<c r="${ref}"><v>${value}</v></c>` : '';
  if (typeof value === 'boolean') return `<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`;
  if (type === 'date' || type === 'timestamp') {
    // 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SS[.fff]' in UTC, as every engine answers (cell-values.ts).
    const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : `${value}Z`);
    if (Number.isFinite(ms))
      return `<c r="${ref}" s="${STYLE[type]}"><v>${EPOCH_DAY + ms / MS_PER_DAY}</v></c>`;
  }
  const text = xlsxText(value);
  return text === '' ? '' : textCell(ref, text, 0);
}

function textCell(ref: string, text: string, style: number): string {
  // Leading or trailing white space and line breaks are kept only where the XML says so.
  const keep = /^\s|\s$|\n/.test(text) ? ' xml:space="preserve"' : '';
  const s = style ? ` s="${style}"` : '';
  return `<c r="${ref}"${s} t="inlineStr"><is><t${keep}>${escapeXml(text)}</t></is></c>`;
}

function escapeXml(text: string): string {
  return /[&<>]/.test(text) ? text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : text;
}

/** A, B, …, Z, AA, AB, … */
function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
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

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

const CONTENT_TYPES =
  `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
  '</Types>';

const ROOT_RELS =
  `${XML_DECLARATION}<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
  '</Relationships>';

const WORKBOOK =
  `${XML_DECLARATION}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
  '<bookViews><workbookView/></bookViews>' +
  '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>';

const WORKBOOK_RELS =
  `${XML_DECLARATION}<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
  `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/>` +
  '</Relationships>';

const STYLES =
  `${XML_DECLARATION}<styleSheet xmlns="${MAIN_NS}">` +
  '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>' +
  '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>' +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

const SHEET_TAIL = '</sheetData></worksheet>';

/** Up to the columns: the frozen first row (the pane below it scrolls). */
const SHEET_HEAD =
  `${XML_DECLARATION}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
  '<sheetViews><sheetView workbookViewId="0">' +
  '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
  '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>' +
  '<sheetFormatPr defaultRowHeight="15"/>';
