import { civilFromDays } from '../../dates/civil-days.js';
import { TrellisError } from '../../errors.js';
import { bangMarkupEnd, decodeXmlText } from './xml-scanner.js';
import { tooLarge, unreadable } from './zip-entries.js';

/**
 * A worksheet's XML, fed as inflated byte chunks, straight to CSV bytes: one `<row>` at a time, the
 * first row the header that fixes the width, every cell as text by the rules of docs/uploads.md
 * "XLSX". It works on bytes, not strings: plain text and numbers already in JavaScript's own form
 * (most cells) are copied from the XML into a reused output buffer without ever becoming a string,
 * so a million-row sheet makes little garbage. `run` stops when the output passes a high-water mark
 * so the caller can write it out (back-pressure) before it goes on; only an unfinished tag is kept
 * between chunks, plus the cell in hand.
 *
 * Not a validating parser: well-formed SpreadsheetML (prefixes like `x:c` allowed; comments,
 * processing instructions and CDATA handled). Cells must come in column order within a row, as
 * the format requires.
 */
export interface SheetLimits {
  /** Data rows (the header not counted). */
  readonly maxRows: number;
  readonly maxColumns: number;
}

const enum Tag {
  Other,
  SheetData,
  Row,
  C,
  V,
  F,
  Is,
  T,
  RPh,
}

const enum Type {
  Number,
  Shared,
  Inline,
  Str,
  Bool,
  Error,
  Date,
}

const enum Capture {
  None,
  Value,
  Formula,
  InlineText,
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUOTE = 0x22;
const APOS = 0x27;
const AMP = 0x26;
const CR = 0x0d;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/** `run` yields to the caller once this much CSV is waiting. */
const HIGH_WATER = 1024 * 1024;
/** A tag or comment left unfinished at a chunk's end longer than this is not SpreadsheetML. */
const MAX_CARRY = 4 * 1024 * 1024;

/** A growable byte buffer, reused for the life of the conversion. */
export class Bytes {
  buf = Buffer.allocUnsafe(256);
  len = 0;

  append(src: Buffer, start: number, end: number): void {
    const need = this.len + end - start;
    if (need > this.buf.length) this.grow(need);
    if (end - start < 32) for (let i = start; i < end; i++) this.buf[this.len++] = src[i] as number;
    else this.len += src.copy(this.buf, this.len, start, end);
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  text(): string {
    return this.buf.toString('utf8', 0, this.len);
  }
}

export class SheetToCsv {
  /** Data rows written (the header not counted). */
  rows = 0;

  private input: Buffer = Buffer.alloc(0);
  private pos = 0;
  private carry: Buffer | null = null;
  private done = false;

  private out = Buffer.allocUnsafe(HIGH_WATER + 64 * 1024);
  private outLen = 0;

  private inSheetData = false;
  private inRow = false;
  private rowNumber = 0;
  private width = -1;
  /** Highest column (1-based) with a value in the row in hand, written or not. */
  private rowLast = 0;
  /** Columns of the row in hand already in the output. */
  private written = 0;
  private rightOfHeader = false;

  private inCell = false;
  private column = 0;
  private type = Type.Number;
  private style = 0;
  private capture = Capture.None;
  private readonly value = new Bytes();
  private hasValue = false;
  private readonly formula = new Bytes();
  private readonly inline = new Bytes();
  private hasInline = false;
  private inInline = false;
  private phonetic = 0;

  // The attributes of the start tag in hand that a row or cell needs: [start, end) in the input, or -1.
  private attrR = -1;
  private attrREnd = -1;
  private attrS = -1;
  private attrSEnd = -1;
  private attrT = -1;
  private attrTEnd = -1;

  constructor(
    private readonly limits: SheetLimits,
    private readonly shared: readonly string[],
    private readonly dateStyles: readonly boolean[],
    private readonly date1904: boolean,
  ) {}

  /** The next inflated chunk; then call `run` until it returns true. */
  feed(chunk: Buffer): void {
    this.input = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    this.pos = 0;
  }

  /** Scans the chunk fed; false when it stopped early for the caller to take the output first. */
  run(): boolean {
    if (this.done) return true;
    const b = this.input;
    const n = b.length;
    let p = this.pos;
    while (p < n) {
      if (this.outLen >= HIGH_WATER) {
        this.pos = p;
        return false;
      }
      let lt = p;
      while (lt < n && b[lt] !== LT) lt++;
      if (lt > p && this.capture !== Capture.None) this.text(b, p, lt);
      if (lt >= n) break;
      const next = this.markup(b, lt);
      if (next < 0) {
        if (n - lt > MAX_CARRY) throw unreadable('an XML tag longer than 4 MB');
        this.carry = Buffer.from(b.subarray(lt));
        break;
      }
      p = next;
      if (this.done) break;
    }
    this.pos = n;
    return true;
  }

  /** The end of the part: a tag left open means a cut-off sheet. */
  end(): void {
    if (!this.done && this.carry) throw unreadable('the sheet ends inside a tag');
  }

  get pendingBytes(): number {
    return this.outLen;
  }

  /** The CSV written so far, handed over; the next output goes to a fresh buffer. */
  take(): Buffer {
    const data = this.out.subarray(0, this.outLen);
    this.out = Buffer.allocUnsafe(this.out.length);
    this.outLen = 0;
    return data;
  }

  private text(b: Buffer, start: number, end: number): void {
    if (this.capture === Capture.Value) this.value.append(b, start, end);
    else if (this.capture === Capture.Formula) this.formula.append(b, start, end);
    else this.inline.append(b, start, end);
  }

  /** The markup at `lt`; the index after it, or -1 when the input ends inside it. */
  private markup(b: Buffer, lt: number): number {
    const n = b.length;
    if (lt + 1 >= n) return -1;
    const first = b[lt + 1];
    if (first === SLASH) {
      let gt = lt + 2;
      while (gt < n && b[gt] !== GT) gt++;
      if (gt >= n) return -1;
      let end = gt;
      while (end > lt + 2 && (b[end - 1] as number) <= 32) end--;
      this.close(tagOf(b, lt + 2, end));
      return gt + 1;
    }
    if (first === 0x3f /* ? */) {
      const end = b.indexOf('?>', lt + 2, 'latin1');
      return end < 0 ? -1 : end + 2;
    }
    if (first === 0x21 /* ! */)
      return bangMarkupEnd(
        b,
        lt,
        this.capture === Capture.None ? null : (escaped) => this.text(escaped, 0, escaped.length),
      );
    let i = lt + 1;
    while (i < n) {
      const c = b[i] as number;
      if (c === GT || c === SLASH || c <= 32) break;
      i++;
    }
    if (i >= n) return -1;
    const tag = tagOf(b, lt + 1, i);
    this.attrR = this.attrS = this.attrT = -1;
    for (;;) {
      while (i < n && (b[i] as number) <= 32) i++;
      if (i >= n) return -1;
      const c = b[i];
      if (c === GT) {
        this.open(tag);
        return i + 1;
      }
      if (c === SLASH) {
        if (i + 1 >= n) return -1;
        if (b[i + 1] !== GT) throw unreadable('a malformed tag in the sheet');
        this.open(tag);
        this.close(tag);
        return i + 2;
      }
      const nameStart = i;
      while (i < n && b[i] !== 0x3d /* = */) i++;
      let nameEnd = i;
      i++;
      while (i < n && (b[i] as number) <= 32) i++;
      if (i >= n) return -1;
      const quote = b[i];
      if (quote !== QUOTE && quote !== APOS) throw unreadable('an unquoted attribute in the sheet');
      const valueStart = i + 1;
      i = valueStart;
      while (i < n && b[i] !== quote) i++;
      if (i >= n) return -1;
      // Only a row's or a cell's r, s and t matter (prefixes dropped).
      if (tag === Tag.C || tag === Tag.Row) {
        while (nameEnd > nameStart && (b[nameEnd - 1] as number) <= 32) nameEnd--;
        if (nameEnd - nameStart === 1 || b[nameEnd - 2] === 0x3a /* : */) {
          const a = b[nameEnd - 1];
          if (a === 0x72 /* r */) [this.attrR, this.attrREnd] = [valueStart, i];
          else if (a === 0x73 /* s */) [this.attrS, this.attrSEnd] = [valueStart, i];
          else if (a === 0x74 /* t */) [this.attrT, this.attrTEnd] = [valueStart, i];
        }
      }
      i++;
    }
  }

  private open(tag: Tag): void {
    switch (tag) {
      case Tag.SheetData:
        this.inSheetData = true;
        return;
      case Tag.Row: {
        if (!this.inSheetData) return;
        const r = this.attrR < 0 ? 0 : digitsOf(this.input, this.attrR, this.attrREnd);
        // A row without r is the one after the last (rows and cells may leave their position implicit).
        this.rowNumber = r > 0 ? r : this.rowNumber + 1;
        this.inRow = true;
        this.rowLast = 0;
        this.column = 0;
        this.written = 0;
        this.rightOfHeader = false;
        return;
      }
      case Tag.C: {
        if (!this.inRow) return;
        this.inCell = true;
        const col = this.attrR < 0 ? 0 : columnOfBytes(this.input, this.attrR, this.attrREnd);
        this.column = col > 0 ? col : this.column + 1;
        this.type = this.attrT < 0 ? Type.Number : typeOf(this.input, this.attrT, this.attrTEnd);
        this.style = this.attrS < 0 ? 0 : digitsOf(this.input, this.attrS, this.attrSEnd);
        this.value.len = 0;
        this.hasValue = false;
        this.formula.len = 0;
        this.inline.len = 0;
        this.hasInline = false;
        return;
      }
      case Tag.V:
        if (!this.inCell) return;
        this.value.len = 0;
        this.hasValue = true;
        this.capture = Capture.Value;
        return;
      case Tag.F:
        if (!this.inCell) return;
        this.formula.len = 0;
        this.capture = Capture.Formula;
        return;
      case Tag.Is:
        if (!this.inCell) return;
        this.inInline = true;
        this.hasInline = true;
        return;
      case Tag.RPh:
        this.phonetic++;
        return;
      case Tag.T:
        if (this.inInline && this.phonetic === 0) this.capture = Capture.InlineText;
        return;
      default:
    }
  }

  private close(tag: Tag): void {
    switch (tag) {
      case Tag.V:
      case Tag.F:
      case Tag.T:
        this.capture = Capture.None;
        return;
      case Tag.RPh:
        this.phonetic--;
        return;
      case Tag.Is:
        this.inInline = false;
        return;
      case Tag.C:
        if (this.inCell) this.endCell();
        this.inCell = false;
        return;
      case Tag.Row:
        if (this.inRow) this.endRow();
        this.inRow = false;
        return;
      case Tag.SheetData:
        // Nothing after the cells matters (the caller still inflates the rest, to check its size and CRC).
        this.inSheetData = false;
        this.done = true;
        return;
      default:
    }
  }

  private endCell(): void {
    const col = this.column;
    const { maxColumns } = this.limits;
    if (col > maxColumns || (this.width >= 0 && col > this.width)) {
      // No column to go to: recorded, and refused at the row's end (too many columns first).
      const text = this.cellString();
      if (text === null) return;
      if (col > this.rowLast) this.rowLast = col;
      if (text !== '') this.rightOfHeader = true;
      return;
    }
    if (col <= this.written) throw unreadable(`row ${this.rowNumber} has its cells out of column order`);
    const mark = this.outLen;
    this.pad(col - 1);
    if (this.written > 0) this.byte(COMMA);
    if (!this.writeValue()) {
      this.outLen = mark; // a styled cell without a value: nothing written
      return;
    }
    this.written = col;
    if (col > this.rowLast) this.rowLast = col;
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
    this.pad(this.width);
    this.byte(NEWLINE);
  }

  /** Empty values up to `columns` written columns. */
  private pad(columns: number): void {
    while (this.written < columns) {
      this.ensure(3);
      if (this.written > 0) this.out[this.outLen++] = COMMA;
      this.out[this.outLen++] = QUOTE;
      this.out[this.outLen++] = QUOTE;
      this.written++;
    }
  }

  /**
   * The cell in hand, quoted, into the output; false when it has no value. Plain text and numbers
   * already as JavaScript writes them are copied as bytes; everything else goes through cellString.
   */
  private writeValue(): boolean {
    if (this.formula.len === 0) {
      if (this.type === Type.Inline || this.type === Type.Str) {
        const src = this.hasInline ? this.inline : this.hasValue ? this.value : null;
        if (src === null) return false;
        if (plainText(src.buf, src.len)) {
          this.quotedBytes(src.buf, src.len);
          return true;
        }
      } else if (this.type === Type.Shared) {
        if (!this.hasValue) return false;
        const text = this.shared[digitsOf(this.value.buf, 0, this.value.len)];
        if (text === undefined) return false;
        this.quotedString(text);
        return true;
      } else if (this.type === Type.Number && !this.dateStyles[this.style]) {
        if (!this.hasValue || this.value.len === 0) return false;
        if (canonicalNumber(this.value.buf, this.value.len)) {
          this.quotedBytes(this.value.buf, this.value.len);
          return true;
        }
      }
    }
    const text = this.cellString();
    if (text === null) return false;
    this.quotedString(text);
    return true;
  }

  private quotedString(text: string): void {
    const body = text.includes('"') ? text.replace(/"/g, '""') : text;
    this.ensure(body.length * 3 + 2);
    const out = this.out;
    out[this.outLen++] = QUOTE;
    this.outLen += out.write(body, this.outLen, 'utf8');
    out[this.outLen++] = QUOTE;
  }

  /** The cell in hand as text, or null when it holds no value (a styled empty cell). */
  private cellString(): string | null {
    // A formula is kept as its text, never evaluated; a shared formula's other cells carry no text: their value stands.
    if (this.formula.len > 0) return `=${decodeXmlText(this.formula.text())}`;
    const has = this.hasValue;
    switch (this.type) {
      case Type.Shared:
        return has ? (this.shared[Number.parseInt(this.value.text(), 10)] ?? null) : null;
      case Type.Inline:
        if (this.hasInline) return decodeXmlText(this.inline.text());
        return has ? decodeXmlText(this.value.text()) : null;
      case Type.Str:
      case Type.Error:
        return has ? decodeXmlText(this.value.text()) : null;
      case Type.Bool:
        return has ? (Number.parseInt(this.value.text(), 10) !== 0 ? 'true' : 'false') : null;
      case Type.Date:
        return has ? isoDateText(decodeXmlText(this.value.text()).trim()) : null;
      default: {
        if (!has) return null;
        const v = this.value.text();
        const n = Number(v); // surrounding blanks ignored; blanks alone are 0, though no value
        if (n === 0 && v.trim() === '') return null;
        if (Number.isNaN(n)) return decodeXmlText(v);
        return this.dateStyles[this.style] ? excelDateText(n, this.date1904) : String(n);
      }
    }
  }

  private quotedBytes(src: Buffer, len: number): void {
    this.ensure(len + 2);
    const out = this.out;
    out[this.outLen++] = QUOTE;
    if (len < 32) for (let i = 0; i < len; i++) out[this.outLen++] = src[i] as number;
    else this.outLen += src.copy(out, this.outLen, 0, len);
    out[this.outLen++] = QUOTE;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.out[this.outLen++] = b;
  }

  private ensure(bytes: number): void {
    if (this.outLen + bytes <= this.out.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.outLen + bytes));
    this.out.copy(next, 0, 0, this.outLen);
    this.out = next;
  }
}

/** The tag a name stands for (its prefix dropped), by its bytes. */
function tagOf(b: Buffer, start: number, end: number): Tag {
  for (let i = end - 1; i >= start; i--)
    if (b[i] === 0x3a /* : */) {
      start = i + 1;
      break;
    }
  switch (end - start) {
    case 1: {
      const c = b[start];
      return c === 0x63 ? Tag.C : c === 0x76 ? Tag.V : c === 0x66 ? Tag.F : c === 0x74 ? Tag.T : Tag.Other;
    }
    case 2:
      return b[start] === 0x69 && b[start + 1] === 0x73 ? Tag.Is : Tag.Other;
    case 3:
      if (b[start] !== 0x72 /* r */) return Tag.Other;
      if (b[start + 1] === 0x6f && b[start + 2] === 0x77) return Tag.Row; // row
      return b[start + 1] === 0x50 && b[start + 2] === 0x68 ? Tag.RPh : Tag.Other; // rPh
    case 9:
      return b.toString('latin1', start, end) === 'sheetData' ? Tag.SheetData : Tag.Other;
    default:
      return Tag.Other;
  }
}

function typeOf(b: Buffer, start: number, end: number): Type {
  if (end - start === 1) {
    const c = b[start];
    return c === 0x73
      ? Type.Shared
      : c === 0x62
        ? Type.Bool
        : c === 0x65
          ? Type.Error
          : c === 0x64
            ? Type.Date
            : Type.Number;
  }
  const s = b.toString('latin1', start, end);
  return s === 'inlineStr' ? Type.Inline : s === 'str' ? Type.Str : Type.Number;
}

/** A small unsigned integer from its digits (stops at the first other byte); 0 when none. */
function digitsOf(b: Buffer, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = (b[i] as number) - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    if (v > 1e9) break;
  }
  return v;
}

/** The column of a cell reference's letters (`AA3` → 27); 0 when it has none. */
function columnOfBytes(b: Buffer, start: number, end: number): number {
  let col = 0;
  for (let i = start; i < end; i++) {
    const c = (b[i] as number) | 0x20;
    if (c < 97 || c > 122) break;
    col = col * 26 + (c - 96);
    if (col > 1_000_000) break; // past Excel's XFD: any width cap refuses it
  }
  return col;
}

/** Text that needs no decoding and no quote doubling: no &, no CR, no ". */
function plainText(b: Buffer, len: number): boolean {
  for (let i = 0; i < len; i++) {
    const c = b[i];
    if (c === AMP || c === QUOTE || c === CR) return false;
  }
  return true;
}

/**
 * Whether a number's text is exactly what String(Number(text)) gives: an optional minus, an integer
 * without leading zeros, a fraction without trailing zeros, at most 15 significant digits (so it
 * round-trips) and no smaller than 1e-6 (below, JavaScript writes an exponent). Not -0.
 */
function canonicalNumber(b: Buffer, len: number): boolean {
  let i = 0;
  if (b[0] === 0x2d /* - */) i = 1;
  if (i >= len) return false;
  let significant = 0;
  const first = b[i] as number;
  if (first === 0x30) {
    i++;
    if (i === len) return b[0] !== 0x2d;
    if (b[i] !== 0x2e /* . */) return false;
  } else {
    if (first < 0x31 || first > 0x39) return false;
    while (i < len && (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39) {
      i++;
      significant++;
    }
    if (i === len) return significant <= 15;
    if (b[i] !== 0x2e) return false;
  }
  i++; // the point
  const fractionStart = i;
  let leadingZeros = 0;
  while (i < len && (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39) {
    if (significant === 0 && b[i] === 0x30) leadingZeros++;
    else significant++;
    i++;
  }
  if (i !== len || i === fractionStart || b[len - 1] === 0x30) return false;
  if (first === 0x30 && leadingZeros >= 6) return false;
  return significant <= 15;
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

/** Days since 1970-01-01 as `YYYY-MM-DD`, as toISOString would write the date. */
function civilDate(daysSinceEpoch: number): string {
  const [y, m, d] = civilFromDays(daysSinceEpoch);
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
