import { posix } from 'node:path';
import { attr, decodeXmlText, XmlScanner, type XmlHandler } from './xml-scanner.js';
import { unreadable, type InflateBudget, type ZipArchive, type ZipEntry } from './zip-entries.js';

/**
 * The parts of an XLSX file around its sheets: the workbook (sheet names, visibility, date system),
 * its relationships (where each sheet's XML lies), the styles (which cell styles show numbers as
 * dates); the shared strings are shared-strings.ts's. Each is streamed through the XML scanner;
 * only what the sheet reader needs is kept.
 */
export interface SheetInfo {
  readonly name: string;
  readonly hidden: boolean;
  /** The sheet's part in the archive, null when its relationship names none. */
  readonly part: string | null;
}

export interface WorkbookInfo {
  readonly sheets: readonly SheetInfo[];
  readonly date1904: boolean;
  readonly stylesPart: string | null;
  readonly sharedStringsPart: string | null;
}

/** Workbook, relationships and styles are small; past this they are not a workbook's. */
const MAX_PART_BYTES = 32 * 1024 * 1024;

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/';
const STRICT_REL = 'http://purl.oclc.org/ooxml/officeDocument/relationships/';

/** Streams one part through a handler; the inflated bytes count against `budget`. */
export async function scanPart(
  zip: ZipArchive,
  entry: ZipEntry,
  budget: InflateBudget,
  maxBytes: number,
  label: string,
  handler: XmlHandler & { scanner?: XmlScanner },
  onChunk?: () => Promise<void>,
): Promise<void> {
  const scanner = new XmlScanner(handler);
  handler.scanner = scanner;
  for await (const chunk of zip.chunks(entry, budget, maxBytes, label)) {
    scanner.write(chunk);
    if (onChunk) await onChunk();
    // Past the handler's end the rest is still inflated (ignored): its size and CRC are checked.
  }
  scanner.end();
}

export async function readWorkbook(zip: ZipArchive, budget: InflateBudget): Promise<WorkbookInfo> {
  // The package's root relationships name the workbook part; xl/workbook.xml when they do not.
  const root = await readRels(zip, '_rels/.rels', budget);
  const main = [...root.values()].find((r) => relType(r.type) === 'officeDocument');
  const bookPart = main ? resolveTarget('', main.target) : 'xl/workbook.xml';
  const bookEntry = zip.entry(bookPart);
  if (!bookEntry) throw unreadable(`no workbook part ${bookPart}`);

  const sheets: { name: string; state: string; rid: string }[] = [];
  let date1904 = false;
  await scanPart(zip, bookEntry, budget, MAX_PART_BYTES, 'Its workbook part unpacks', {
    wantText: false,
    open(name, attrs, count) {
      if (name === 'sheet') {
        sheets.push({
          name: decodeXmlText(attr(attrs, count, 'name') ?? ''),
          state: attr(attrs, count, 'state') ?? 'visible',
          rid: attr(attrs, count, 'id') ?? '',
        });
      } else if (name === 'workbookPr') {
        const v = attr(attrs, count, 'date1904');
        date1904 = v === '1' || v === 'true';
      }
    },
    close() {},
    text() {},
  });

  const dir = posix.dirname(bookPart);
  const relsPart = posix.join(dir === '.' ? '' : dir, '_rels', `${posix.basename(bookPart)}.rels`);
  const rels = await readRels(zip, relsPart, budget);
  const partOf = (type: string, fallback: string) => {
    const r = [...rels.values()].find((x) => relType(x.type) === type);
    const part = r ? resolveTarget(dir, r.target) : fallback;
    return zip.entry(part) ? part : null;
  };
  return {
    sheets: sheets
      // Chart and dialog sheets have no cells to read.
      .filter((s) => {
        const type = rels.get(s.rid)?.type;
        return type === undefined || relType(type) === 'worksheet';
      })
      .map((s) => {
        const rel = rels.get(s.rid);
        return {
          name: s.name,
          hidden: s.state === 'hidden' || s.state === 'veryHidden',
          part: rel ? resolveTarget(dir, rel.target) : null,
        };
      }),
    date1904,
    stylesPart: partOf('styles', posix.join(dir, 'styles.xml')),
    sharedStringsPart: partOf('sharedStrings', posix.join(dir, 'sharedStrings.xml')),
  };
}

/** The last segment of a relationship type, for both transitional and strict OOXML. */
function relType(type: string): string {
  if (type.startsWith(REL)) return type.slice(REL.length);
  if (type.startsWith(STRICT_REL)) return type.slice(STRICT_REL.length);
  return type.slice(type.lastIndexOf('/') + 1);
}

/** A relationship target as an archive path: absolute (`/xl/…`) or relative to the source's folder. */
function resolveTarget(dir: string, target: string): string {
  const t = decodeXmlText(target);
  const joined = t.startsWith('/') ? t.slice(1) : posix.join(dir, t);
  return posix.normalize(joined).replace(/^(\.\.\/)+/, '');
}

async function readRels(
  zip: ZipArchive,
  part: string,
  budget: InflateBudget,
): Promise<Map<string, { type: string; target: string }>> {
  const rels = new Map<string, { type: string; target: string }>();
  const entry = zip.entry(part);
  if (!entry) return rels;
  await scanPart(zip, entry, budget, MAX_PART_BYTES, 'Its relationships unpack', {
    wantText: false,
    open(name, attrs, count) {
      if (name !== 'Relationship') return;
      const id = attr(attrs, count, 'Id');
      if (id !== undefined)
        rels.set(decodeXmlText(id), {
          type: decodeXmlText(attr(attrs, count, 'Type') ?? ''),
          target: attr(attrs, count, 'Target') ?? '',
        });
    },
    close() {},
    text() {},
  });
  return rels;
}

/** Built-in number formats that show a date or time (ECMA-376 18.8.30). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/**
 * Whether a number format code shows a date or time: a d, m, y, h or s outside quoted text,
 * brackets (`[Red]`, `[$-409]`, `[h]` is elapsed time and still has `mm`), escapes (`\d`) and the
 * fill/padding characters (`*x`, `_x`).
 */
export function isDateFormat(code: string): boolean {
  let s = code.replace(/"[^"]*"/g, '').replace(/\[[^\]]*]/g, '');
  s = s.replace(/[\\_*]./g, '');
  // Only the first section (positive numbers) decides; General and @ are never dates.
  return /[dmyhs]/i.test(s.split(';')[0] ?? '');
}

/** Which cell style indices (the `s` of a cell) show their number as a date. */
export async function readDateStyles(
  zip: ZipArchive,
  part: string | null,
  budget: InflateBudget,
): Promise<boolean[]> {
  const entry = part ? zip.entry(part) : undefined;
  if (!entry) return [];
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await scanPart(zip, entry, budget, MAX_PART_BYTES, 'Its styles unpack', {
    wantText: false,
    open(name, attrs, count) {
      if (name === 'numFmt') {
        const id = Number(attr(attrs, count, 'numFmtId'));
        if (Number.isInteger(id)) custom.set(id, decodeXmlText(attr(attrs, count, 'formatCode') ?? ''));
      } else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) xfFormats.push(Number(attr(attrs, count, 'numFmtId') ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
    text() {},
  });
  return xfFormats.map((id) => {
    const code = custom.get(id);
    return code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id);
  });
}
