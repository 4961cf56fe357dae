import { TrellisError } from '../../errors.js';
import { attr, decodeXmlText, type XmlHandler, type XmlScanner } from './xml-scanner.js';
import { tooLarge } from './zip-entries.js';

/**
 * A worksheet's XML as CSV lines, one `<row>` at a time (the XML scanner's handler): the first row
 * is the header and fixes the width; every cell becomes text by the rules of docs/uploads.md
 * "XLSX"; lines gather in `pending` for the caller to write (with back-pressure) after each chunk.
 * Only the row in hand is kept: a reused array of at most `maxColumns` cell texts.
 */
export interface SheetLimits {
  /** Data rows (the header not counted). */
  readonly maxRows: number;
  readonly maxColumns: number;
}

const enum Capture {
  None,
  Value,
  Formula,
  InlineText,
}

export class SheetToCsv implements XmlHandler {
  wantText = false;
  scanner?: XmlScanner;
  /** CSV lines not yet written; the caller takes them. */
  pending = '';
  /** Data rows written (the header not counted). */
  rows = 0;

  private inSheetData = false;
  private inRow = false;
  private rowNumber = 0;
  private width = -1;
  private readonly cells: string[] = [];
  /** Highest column (1-based) with a value in the row in hand, stored or not. */
  private rowLast = 0;
  private rightOfHeader = false;

  private inCell = false;
  private column = 0;
  private type = 'n';
  private style = 0;
  private capture = Capture.None;
  private value = '';
  private hasValue = false;
  private formula = '';
  private inline = '';
  private hasInline = false;
  private inInline = false;
  private phonetic = 0;

  constructor(
    private readonly limits: SheetLimits,
    private readonly shared: readonly string[],
    private readonly dateStyles: readonly boolean[],
    private readonly date1904: boolean,
  ) {}

  open(name: string, attrs: readonly string[], count: number): void {
    switch (name) {
      case 'sheetData':
        this.inSheetData = true;
        return;
      case 'row': {
        if (!this.inSheetData) return;
        const r = attr(attrs, count, 'r');
        const n = r === undefined ? Number.NaN : Number.parseInt(r, 10);
        // A row without r is the one after the last (cells and rows may leave their position implicit).
        this.rowNumber = Number.isFinite(n) && n > 0 ? n : this.rowNumber + 1;
        this.inRow = true;
        this.rowLast = 0;
        this.column = 0;
        this.rightOfHeader = false;
        return;
      }
      case 'c': {
        if (!this.inRow) return;
        this.inCell = true;
        let type = 'n';
        let style = 0;
        let ref: string | undefined;
        for (let i = 0; i < count; i += 2) {
          const a = attrs[i];
          if (a === 'r') ref = attrs[i + 1];
          else if (a === 't') type = attrs[i + 1] ?? 'n';
          else if (a === 's') style = Number.parseInt(attrs[i + 1] ?? '0', 10) || 0;
        }
        const col = ref === undefined ? 0 : columnOf(ref);
        this.column = col > 0 ? col : this.column + 1;
        this.type = type;
        this.style = style;
        this.value = '';
        this.hasValue = false;
        this.formula = '';
        this.inline = '';
        this.hasInline = false;
        return;
      }
      case 'v':
        if (!this.inCell) return;
        this.value = '';
        this.hasValue = true;
        this.capture = Capture.Value;
        this.wantText = true;
        return;
      case 'f':
        if (!this.inCell) return;
        this.formula = '';
        this.capture = Capture.Formula;
        this.wantText = true;
        return;
      case 'is':
        if (!this.inCell) return;
        this.inInline = true;
        this.hasInline = true;
        return;
      case 'rPh':
        this.phonetic++;
        return;
      case 't':
        if (this.inInline && this.phonetic === 0) {
          this.capture = Capture.InlineText;
          this.wantText = true;
        }
        return;
      default:
    }
  }

  text(raw: string): void {
    if (this.capture === Capture.Value) this.value += raw;
    else if (this.capture === Capture.Formula) this.formula += raw;
    else if (this.capture === Capture.InlineText) this.inline += raw;
  }

  close(name: string): void {
    switch (name) {
      case 'v':
      case 'f':
      case 't':
        this.capture = Capture.None;
        this.wantText = false;
        return;
      case 'rPh':
        this.phonetic--;
        return;
      case 'is':
        this.inInline = false;
        return;
      case 'c':
        if (this.inCell) this.endCell();
        this.inCell = false;
        return;
      case 'row':
        if (this.inRow) this.endRow();
        this.inRow = false;
        return;
      case 'sheetData':
        // Nothing after the cells matters: the scanner ignores the rest (still inflated, to check its size and CRC).
        this.inSheetData = false;
        this.scanner?.stop();
        return;
      default:
    }
  }

  private endCell(): void {
    const text = this.cellText();
    if (text === null) return;
    const col = this.column;
    if (col > this.rowLast) this.rowLast = col;
    if (col > this.limits.maxColumns) return; // refused at the row's end, like any too-wide row
    if (this.width >= 0 && col > this.width) {
      if (text !== '') this.rightOfHeader = true;
      return;
    }
    this.cells[col - 1] = text;
  }

  private endRow(): void {
    const { maxColumns, maxRows } = this.limits;
    if (this.rowLast > maxColumns)
      throw new TrellisError('UPLOAD_TOO_MANY_COLUMNS', {
        message: `Row ${this.rowNumber} has ${this.rowLast} columns; this upload target allows ${maxColumns}.`,
      });
    if (this.width < 0)
      this.width = this.rowLast; // the first row is the header
    else if (++this.rows > maxRows) throw tooLarge(`The sheet has more than ${maxRows} rows.`, { maxRows });
    // A value right of the header has no column to go to: refused rather than silently dropped.
    if (this.rightOfHeader)
      throw new TrellisError('UPLOAD_UNREADABLE', {
        message: `Row ${this.rowNumber} has a value right of the last header; give that column a header.`,
      });
    let line = '';
    const cells = this.cells;
    for (let i = 0; i < this.width; i++) {
      const v = cells[i];
      if (i > 0) line += ',';
      if (v === undefined || v === '') line += '""';
      else {
        line += v.includes('"') ? `"${v.replace(/"/g, '""')}"` : `"${v}"`;
        cells[i] = '';
      }
    }
    this.pending += `${line}\n`;
  }

  /** The cell in hand as text, or null when it holds no value (a styled empty cell). */
  private cellText(): string | null {
    // A formula is kept as its text, never evaluated; a shared formula's other cells carry no text: their value stands.
    if (this.formula !== '') return `=${decodeXmlText(this.formula)}`;
    const v = this.value;
    switch (this.type) {
      case 's': {
        if (!this.hasValue) return null;
        return this.shared[Number.parseInt(v, 10)] ?? null;
      }
      case 'inlineStr':
        if (this.hasInline) return decodeXmlText(this.inline);
        return this.hasValue ? decodeXmlText(v) : null;
      case 'str':
      case 'e':
        return this.hasValue ? decodeXmlText(v) : null;
      case 'b':
        return this.hasValue ? (Number.parseInt(v, 10) !== 0 ? 'true' : 'false') : null;
      case 'd':
        return this.hasValue ? isoDateText(decodeXmlText(v).trim()) : null;
      default: {
        if (!this.hasValue) return null;
        const n = Number(v); // surrounding blanks ignored; blanks alone are 0, though no value
        if (n === 0 && v.trim() === '') return null;
        if (Number.isNaN(n)) return decodeXmlText(v);
        return this.dateStyles[this.style] ? excelDateText(n, this.date1904) : String(n);
      }
    }
  }
}

/** `B12` → 2, `AA3` → 27; 0 when the reference has no letters. */
export function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower-case
    if (c < 97 || c > 122) break;
    col = col * 26 + (c - 96);
    if (col > 1_000_000) break; // past Excel's XFD: any width cap refuses it
  }
  return col;
}

const DAY_SECONDS = 86_400;
/** 1970-01-01 as an Excel serial in the 1900 system. */
const UNIX_EPOCH_SERIAL = 25_569;
/** Days from 1900-01-00 (the 1900 system) to 1904-01-01 (the 1904 system's day 0). */
const DATE1904_OFFSET = 1_462;

/**
 * An Excel date serial as `YYYY-MM-DD`, or `YYYY-MM-DD hh:mm:ss` when it has a time (to the
 * nearest second). The 1900 system counts a 29 February 1900 that never was (Lotus's bug): serials
 * before 60 are a day later than a plain count gives, and 60 itself shows as 1900-02-28.
 */
export function excelDateText(serial: number, date1904: boolean): string {
  const days = date1904 ? serial + DATE1904_OFFSET : serial < 60 ? serial + 1 : serial;
  const seconds = Math.round((days - UNIX_EPOCH_SERIAL) * DAY_SECONDS);
  if (!Number.isFinite(seconds) || Math.abs(seconds) > 8.64e12) return String(serial);
  // By arithmetic, not Date#toISOString: a million dates a sheet make the difference.
  const day = Math.floor(seconds / DAY_SECONDS);
  const date = civilDate(day);
  const time = seconds - day * DAY_SECONDS;
  if (time === 0) return date;
  const h = Math.floor(time / 3600);
  const m = Math.floor((time % 3600) / 60);
  return `${date} ${pad2(h)}:${pad2(m)}:${pad2(time % 60)}`;
}

/** Days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian; H. Hinnant's days_from_civil inverse). */
function civilDate(daysSinceEpoch: number): string {
  const z = daysSinceEpoch + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const year = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : isoYear(y);
  return `${year}-${pad2(m)}-${pad2(d)}`;
}

/** Years outside 0–9999 as toISOString writes them (±YYYYYY). */
function isoYear(y: number): string {
  return `${y < 0 ? '-' : '+'}${String(Math.abs(y)).padStart(6, '0')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A `t="d"` cell's ISO 8601 text in the same form as a date-styled number; other text as it is. */
function isoDateText(s: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}))?/.exec(s);
  if (!m) return s;
  return m[2] === undefined || m[2] === '00:00:00' ? (m[1] ?? s) : `${m[1]} ${m[2]}`;
}
