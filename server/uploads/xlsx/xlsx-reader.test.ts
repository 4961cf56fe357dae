import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TrellisError } from '../../errors.js';
import { xlsxToCsv, type XlsxLimits } from '../xlsx-to-csv.js';

/**
 * The XLSX reader on real files: workbooks zipped here by hand from minimal XML (every case the
 * reader handles, byte for byte), archives that lie about their sizes or end early, and workbooks
 * written by exceljs.
 */
const LIMITS: XlsxLimits = {
  maxInflatedBytes: 64 * 1024 * 1024,
  maxSharedStringsBytes: 16 * 1024 * 1024,
  maxRows: 100_000,
  maxColumns: 100,
};

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trellis-xlsx-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface HandEntry {
  readonly name: string;
  readonly data: Buffer | string;
  /** 0 stored, 8 deflated (default). */
  readonly method?: 0 | 8;
  /** What the central directory claims the entry inflates to (default: the truth). */
  readonly declaredSize?: number;
}

/**
 * A ZIP file written byte by byte (APPNOTE 4.3): local headers and data, central directory, end
 * record. `zip64`: the directory's sizes and offsets saturated to 0xFFFFFFFF with the real ones in
 * a ZIP64 extra field, and the counts in a ZIP64 end record found through its locator.
 */
function handZip(entries: readonly HandEntry[], zip64 = false): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const method = e.method ?? 8;
    const packed = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(e.name, 'utf8');
    const size = e.declaredSize ?? data.length;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, packed);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(zip64 ? 0xffffffff : packed.length, 20);
    c.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    if (zip64) {
      const extra = Buffer.alloc(28);
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(packed.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
      c.writeUInt16LE(extra.length, 30);
      central.push(c, name, extra);
    } else central.push(c, name);
    offset += 30 + name.length + packed.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : dirBytes.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  if (!zip64) return Buffer.concat([...parts, dirBytes, end]);
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(entries.length), 24);
  record.writeBigUInt64LE(BigInt(entries.length), 32);
  record.writeBigUInt64LE(BigInt(dirBytes.length), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + dirBytes.length), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([...parts, dirBytes, record, locator, end]);
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

interface HandSheet {
  readonly name: string;
  readonly state?: 'hidden' | 'veryHidden';
  /** The rows: what goes inside <sheetData>. */
  readonly rows: string;
}

/** The parts of a minimal workbook, in the archive order the caller picks. */
function handBookEntries(
  sheets: readonly HandSheet[],
  opts: { shared?: readonly string[]; styles?: string; date1904?: boolean } = {},
): HandEntry[] {
  const sheetTags = sheets
    .map(
      (s, i) =>
        `<sheet name="${s.name}" sheetId="${i + 1}"${s.state ? ` state="${s.state}"` : ''} r:id="rId${i + 1}"/>`,
    )
    .join('');
  const rels = sheets
    .map(
      (_, i) =>
        `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
    )
    .join('');
  const entries: HandEntry[] = [
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook ${NS} ${RNS}>${
        opts.date1904 ? '<workbookPr date1904="1"/>' : '<workbookPr/>'
      }<sheets>${sheetTags}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}<Relationship Id="rS" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="rT" Type="${REL}/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>`,
    },
    ...sheets.map((s, i) => ({
      name: `xl/worksheets/sheet${i + 1}.xml`,
      data: `<?xml version="1.0"?>\n<worksheet ${NS}><dimension ref="A1"/><sheetData>${s.rows}</sheetData><mergeCells count="0"/></worksheet>`,
    })),
  ];
  if (opts.styles)
    entries.push({ name: 'xl/styles.xml', data: `<styleSheet ${NS}>${opts.styles}</styleSheet>` });
  if (opts.shared)
    entries.push({
      name: 'xl/sharedStrings.xml',
      data: `<sst ${NS} count="${opts.shared.length}">${opts.shared.join('')}</sst>`,
    });
  return entries;
}

async function convert(content: Buffer, sheet: string | null = null, limits: XlsxLimits = LIMITS) {
  const file = join(dir, `book-${++n}.xlsx`);
  await writeFile(file, content);
  const result = await xlsxToCsv(file, sheet, limits);
  return { result, csv: await readFile(file, 'utf8') };
}

/** The TrellisError a conversion fails with; no CSV is left beside the upload. */
async function failure(content: Buffer, sheet: string | null = null, limits: XlsxLimits = LIMITS) {
  const file = join(dir, `book-${++n}.xlsx`);
  await writeFile(file, content);
  const err = await xlsxToCsv(file, sheet, limits).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrellisError);
  expect(existsSync(`${file}.csv`)).toBe(false);
  return err as TrellisError;
}

// Style 0 is General although the cellStyleXfs' xf says 14 (only cellXfs count); 1 is built-in 14
// (a date), 2 a custom date-time, 3 a number with quoted "d", 4 a number with [Red].
const STYLES =
  '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd hh:mm"/><numFmt numFmtId="165" formatCode="0.00&quot;d&quot;"/><numFmt numFmtId="166" formatCode="[Red]0.00"/></numFmts>' +
  '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>' +
  '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/></cellXfs>';

const SHARED = [
  '<si><t>Sponsor</t></si>',
  // Rich text runs concatenated; the phonetic run is not text of the cell.
  '<si><r><rPr><b/></rPr><t>Acme &quot;Inc&quot;</t></r><r><t xml:space="preserve">, Ltd</t></r><rPh sb="0" eb="1"><t>アクメ</t></rPh></si>',
];

const CELLS = [
  '<row r="1" spans="1:5"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Note</t></is></c><c r="C1" t="str"><v>When</v></c><c r="D1" t="inlineStr"><is><t>Flag</t></is></c><c r="E1" t="inlineStr"><is><t>Calc</t></is></c></row>',
  '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="inlineStr"><is><r><rPr><b/></rPr><t>bold</t></r><r><t xml:space="preserve"> plain</t></r></is></c><c r="C2" s="1"><v>45322</v></c><c r="D2" t="b"><v>1</v></c><c r="E2"><f>SUM(A1:A3)&lt;&gt;0</f><v>3</v></c></row>',
  // Row 3 is missing (no line), B4 is missing (an empty value).
  '<row r="4"><c r="A4" t="inlineStr"><is><t>&amp;&lt;&gt;&quot;&apos;&#123;&#x1F600;é</t></is></c><c r="C4" s="2"><v>45322.5</v></c><c r="D4" t="b"><v>0</v></c><c r="E4"><f t="shared" ref="E4:E5" si="0">A4*2</f><v>7</v></c></row>',
  // Neither the row nor its cells say where they are: the next row, the next columns.
  '<row><c t="e"><v>#N/A</v></c><c><v>1.50</v></c><c s="3"><v>2</v></c><c s="4"><v>1E3</v></c><c><f t="shared" si="0"/><v>8</v></c></row>',
  // A styled cell without a value is empty; a line end inside text is kept, CR LF read as LF.
  '<row r="7"><c r="A7" t="inlineStr"><is><t>a\r\nb&#13;&#10;c</t></is></c><c r="B7" s="1"/><c r="C7" t="d"><v>2024-02-29T13:45:00</v></c><c r="D7" t="d"><v>2024-02-29T00:00:00Z</v></c><c r="E7" t="inlineStr"><is><t><![CDATA[<x> & y]]></t></is></c></row>',
];

const EXPECTED_CELLS =
  '"Sponsor","Note","When","Flag","Calc"\n' +
  '"Acme ""Inc"", Ltd","bold plain","2024-01-31","true","=SUM(A1:A3)<>0"\n' +
  '"&<>""\'{😀é","","2024-01-31 12:00:00","false","=A4*2"\n' +
  '"#N/A","1.5","2","1000","8"\n' +
  '"a\nb\r\nc","","2024-02-29 13:45:00","2024-02-29","<x> & y"\n';

describe('a workbook zipped by hand', () => {
  test('every kind of cell: shared and inline strings, rich text, entities, gaps, dates, booleans, errors, formulas', async () => {
    const { result, csv } = await convert(
      handZip(handBookEntries([{ name: 'Cells', rows: CELLS.join('') }], { shared: SHARED, styles: STYLES })),
    );
    expect(result).toEqual({ sheet: 'Cells', sheets: ['Cells'], rows: 4 });
    expect(csv).toBe(EXPECTED_CELLS);
  });

  test('the sheet stored before the shared strings and the workbook in the archive reads the same', async () => {
    const entries = handBookEntries([{ name: 'Cells', rows: CELLS.join('') }], {
      shared: SHARED,
      styles: STYLES,
    });
    const { csv } = await convert(handZip([...entries].reverse()));
    expect(csv).toBe(EXPECTED_CELLS);
  });

  test('stored (not deflated) entries, namespace prefixes and single quotes read the same', async () => {
    const rows = CELLS.join('')
      .replace(/<(\/?)(row|c|v|f|is|t|r|rPr|b|rPh)\b/g, '<$1x:$2')
      .replace(/r="A1"/, "r='A1'");
    const entries = handBookEntries([{ name: 'Cells', rows }], { shared: SHARED, styles: STYLES }).map(
      (e) => ({
        ...e,
        method: 0 as const,
        data: String(e.data).replace('<worksheet ', '<worksheet xmlns:x="urn:x" '),
      }),
    );
    const { csv } = await convert(handZip(entries));
    expect(csv).toBe(EXPECTED_CELLS);
  });

  test('shared strings: an empty item, CDATA, entities, a prefixed and a rich item keep their places', async () => {
    const shared = [
      '<si/>',
      '<si><t><![CDATA[a & <b>]]></t></si>',
      '<si><t>x&amp;y&#10;z</t></si>',
      '<x:si><x:r><x:t>p</x:t></x:r><x:r><x:t xml:space="preserve"> q</x:t></x:r></x:si>',
    ];
    const rows =
      '<row><c t="inlineStr"><is><t>v</t></is></c></row>' +
      [0, 1, 2, 3, 9].map((i) => `<row><c t="s"><v>${i}</v></c></row>`).join('');
    const { csv } = await convert(handZip(handBookEntries([{ name: 'S', rows }], { shared })));
    expect(csv).toBe('"v"\n""\n"a & <b>"\n"x&y\nz"\n"p q"\n""\n');
  });

  test('a ZIP64 archive (sizes, offsets and counts in its ZIP64 records) reads the same', async () => {
    const entries = handBookEntries([{ name: 'Cells', rows: CELLS.join('') }], {
      shared: SHARED,
      styles: STYLES,
    });
    const { csv } = await convert(handZip(entries, true));
    expect(csv).toBe(EXPECTED_CELLS);
  });

  test('dates: the 1900 system with its leap-year bug, times, and the 1904 system', async () => {
    const rows =
      '<row><c t="inlineStr"><is><t>When</t></is></c></row>' +
      ['1', '59', '61', '45322.75', '0.5', '45322.999999']
        .map((v) => `<row><c s="1"><v>${v}</v></c></row>`)
        .join('');
    const styles = '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="22"/></cellXfs>';
    const in1900 = await convert(handZip(handBookEntries([{ name: 'D', rows }], { styles })));
    expect(in1900.csv.split('\n').slice(1, -1)).toEqual([
      '"1900-01-01"',
      '"1900-02-28"',
      '"1900-03-01"',
      '"2024-01-31 18:00:00"',
      '"1899-12-31 12:00:00"',
      '"2024-02-01"', // 45322.999999 is 0.09 s before midnight: to the nearest second
    ]);
    const in1904 = await convert(handZip(handBookEntries([{ name: 'D', rows }], { styles, date1904: true })));
    expect(in1904.csv.split('\n').slice(1, -1)).toEqual([
      '"1904-01-02"',
      '"1904-02-29"',
      '"1904-03-02"',
      '"2028-02-01 18:00:00"',
      '"1904-01-01 12:00:00"',
      '"2028-02-02"',
    ]);
  });

  test('hidden sheets: the first visible one by default, any one by name (case-insensitive), the names when none matches', async () => {
    const sheet = (v: string) =>
      `<row><c t="inlineStr"><is><t>H</t></is></c></row><row><c t="inlineStr"><is><t>${v}</t></is></c></row>`;
    const book = handZip(
      handBookEntries([
        { name: 'Secret', state: 'hidden', rows: sheet('s') },
        { name: 'Deep', state: 'veryHidden', rows: sheet('d') },
        { name: 'R&amp;D', rows: sheet('r') },
        { name: 'Last', rows: sheet('l') },
      ]),
    );
    const names = ['Secret', 'Deep', 'R&D', 'Last'];
    expect(await convert(book)).toEqual({
      result: { sheet: 'R&D', sheets: names, rows: 1 },
      csv: '"H"\n"r"\n',
    });
    expect((await convert(book, 'deep')).csv).toBe('"H"\n"d"\n');
    expect((await convert(book, 'LAST')).result.sheet).toBe('Last');
    const missing = await failure(book, 'Nope');
    expect(missing.code).toBe('UPLOAD_SHEET_NOT_FOUND');
    expect(missing.message).toContain('Secret, Deep, R&D, Last');
    const none = await failure(
      handZip(handBookEntries([{ name: 'Only', state: 'hidden', rows: sheet('o') }])),
    );
    expect(none.code).toBe('UPLOAD_SHEET_NOT_FOUND');
    expect(none.message).toBe('The workbook has no visible sheet.');
  });

  test('a value right of the last header, too many columns, too many rows: refused as before', async () => {
    const head =
      '<row><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>';
    const right = await failure(
      handZip(handBookEntries([{ name: 'S', rows: `${head}<row r="2"><c r="D2"><v>1</v></c></row>` }])),
    );
    expect(right.code).toBe('UPLOAD_UNREADABLE');
    expect(right.message).toBe('Row 2 has a value right of the last header; give that column a header.');
    // An empty (styled) cell right of the header is no value.
    expect(
      (
        await convert(
          handZip(handBookEntries([{ name: 'S', rows: `${head}<row r="2"><c r="D2" s="1"/></row>` }])),
        )
      ).csv,
    ).toBe('"a","b"\n"",""\n');
    const wide = await failure(
      handZip(handBookEntries([{ name: 'S', rows: `${head}<row r="2"><c r="XFD2"><v>1</v></c></row>` }])),
    );
    expect(wide.code).toBe('UPLOAD_TOO_MANY_COLUMNS');
    expect(wide.message).toContain('Row 2 has 16384 columns');
    const many = await failure(
      handZip(handBookEntries([{ name: 'S', rows: head + '<row><c><v>1</v></c></row>'.repeat(4) }])),
      null,
      {
        ...LIMITS,
        maxRows: 3,
      },
    );
    expect(many.code).toBe('UPLOAD_XLSX_TOO_LARGE');
  });

  test('numbers as JavaScript writes them, whether copied as they are or parsed', async () => {
    const raw = [
      '0',
      '-3',
      '1.10',
      '007',
      '0.000001',
      '0.0000001',
      '-0',
      '123456789012345',
      '12345678901234567',
      '1e21',
      ' 42 ',
      '2.5E-3',
      'abc',
    ];
    const rows =
      '<row><c t="inlineStr"><is><t>n</t></is></c></row>' +
      raw.map((v) => `<row><c><v>${v}</v></c></row>`).join('');
    const { csv } = await convert(handZip(handBookEntries([{ name: 'N', rows }])));
    expect(csv.split('\n').slice(1, -1)).toEqual(
      [
        '0',
        '-3',
        '1.1',
        '7',
        '0.000001',
        '1e-7',
        '0',
        '123456789012345',
        '12345678901234568',
        '1e+21',
        '42',
        '0.0025',
        'abc',
      ].map((v) => `"${v}"`),
    );
  });

  test('a few bytes of sheet that make megabytes of CSV are written out as they come, in order', async () => {
    // 300 references to one 100 KB string: 30 MB of CSV from one small chunk of XML.
    const big = 'b'.repeat(100 * 1024);
    const rows =
      '<row><c t="inlineStr"><is><t>s</t></is></c><c t="inlineStr"><is><t>i</t></is></c></row>' +
      Array.from({ length: 300 }, (_, i) => `<row><c t="s"><v>0</v></c><c><v>${i}</v></c></row>`).join('');
    const { result, csv } = await convert(
      handZip(handBookEntries([{ name: 'S', rows }], { shared: [`<si><t>${big}</t></si>`] })),
    );
    expect(result.rows).toBe(300);
    expect(csv).toBe(`"s","i"\n${Array.from({ length: 300 }, (_, i) => `"${big}","${i}"\n`).join('')}`);
  });

  test('cells out of column order in a row are refused, not misplaced', async () => {
    const rows =
      '<row><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row><row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>2</v></c></row>';
    const err = await failure(handZip(handBookEntries([{ name: 'S', rows }])));
    expect(err.code).toBe('UPLOAD_UNREADABLE');
    expect(JSON.stringify(err.detail)).toContain('row 2 has its cells out of column order');
  });

  test('text straddling the inflater’s chunks (entities, multi-byte characters, long cells) comes out whole', async () => {
    const values = Array.from(
      { length: 20_000 },
      (_, i) => `${'é😀'.repeat(i % 7)}&${i}<"${'x'.repeat(i % 5000 === 0 ? 300_000 : i % 50)}`,
    );
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
    const rows =
      '<row><c t="inlineStr"><is><t>v</t></is></c><c t="inlineStr"><is><t>n</t></is></c></row>' +
      values
        .map((v, i) => `<row><c t="inlineStr"><is><t>${esc(v)}</t></is></c><c><v>${i}.25</v></c></row>`)
        .join('');
    const { result, csv } = await convert(handZip(handBookEntries([{ name: 'Big', rows }])));
    expect(result.rows).toBe(20_000);
    expect(csv).toBe(`"v","n"\n${values.map((v, i) => `"${v.replace(/"/g, '""')}","${i}.25"\n`).join('')}`);
  });
});

describe('archives that lie or end early', () => {
  const sheetOf = (bytes: number) => `<row><c t="inlineStr"><is><t>${'x'.repeat(bytes)}</t></is></c></row>`;

  test('a bomb whose directory declares 1 KB: stopped when it inflates past that, long before its 48 MB', async () => {
    const entries = handBookEntries([{ name: 'Bomb', rows: sheetOf(48 * 1024 * 1024) }]).map((e) =>
      e.name.endsWith('sheet1.xml') ? { ...e, declaredSize: 1024 } : e,
    );
    const zip = handZip(entries);
    expect(zip.length).toBeLessThan(128 * 1024);
    const err = await failure(zip);
    expect(err.code).toBe('UPLOAD_UNREADABLE');
    expect(JSON.stringify(err.detail)).toContain('inflates past its declared 1024 bytes');
  });

  test('an honest bomb is refused from its declared size before a byte is inflated', async () => {
    // The sheet's deflated data is garbage: had the reader inflated it, it would be unreadable.
    const zip = handZip(handBookEntries([{ name: 'Bomb', rows: sheetOf(4 * 1024 * 1024) }]));
    const at = zip.indexOf(Buffer.from('xl/worksheets/sheet1.xml')) + 'xl/worksheets/sheet1.xml'.length;
    zip.fill(0xff, at + 10, at + 200);
    const err = await failure(zip, null, { ...LIMITS, maxInflatedBytes: 1024 * 1024 });
    expect(err.code).toBe('UPLOAD_XLSX_TOO_LARGE');
    expect(err.message).toContain('Its sheet unpacks to more than 1048576 bytes');
  });

  test('the caps count what every part read unpacks to: shared strings alone, and all parts together', async () => {
    const shared = [`<si><t>${'s'.repeat(700 * 1024)}</t></si>`];
    const rows = `<row><c t="s"><v>0</v></c></row>${sheetOf(500 * 1024)}`;
    const book = handZip(handBookEntries([{ name: 'S', rows }], { shared }));
    const strings = await failure(book, null, { ...LIMITS, maxSharedStringsBytes: 512 * 1024 });
    expect(strings.code).toBe('UPLOAD_XLSX_TOO_LARGE');
    expect(strings.message).toContain('Its shared strings unpack to more than 524288 bytes');
    // Each part is under 1 MB; together they are over.
    const total = await failure(book, null, { ...LIMITS, maxInflatedBytes: 1024 * 1024 });
    expect(total.code).toBe('UPLOAD_XLSX_TOO_LARGE');
    expect(total.message).toContain('It unpacks to more than 1048576 bytes');
    expect((await convert(book, null, { ...LIMITS, maxInflatedBytes: 2 * 1024 * 1024 })).result.rows).toBe(1);
  });

  test('declared sizes that cannot be true are refused when the directory is read', async () => {
    const entries = handBookEntries([{ name: 'S', rows: sheetOf(10) }]).map((e) =>
      e.name.endsWith('sheet1.xml') ? { ...e, declaredSize: 0xfffffff0 } : e,
    );
    const err = await failure(handZip(entries));
    expect(err.code).toBe('UPLOAD_UNREADABLE');
    expect(JSON.stringify(err.detail)).toContain('more than deflate can');
  });

  test('a truncated zip and a corrupted entry: 422 UPLOAD_UNREADABLE at once', async () => {
    const good = handZip(handBookEntries([{ name: 'S', rows: sheetOf(100_000) }]));
    const cut = await failure(good.subarray(0, Math.floor(good.length / 2)));
    expect(cut.code).toBe('UPLOAD_UNREADABLE');
    expect(JSON.stringify(cut.detail)).toContain('no end of central directory');
    // The directory is whole but the sheet's stored bytes changed: its CRC tells.
    const stored = handZip(
      handBookEntries([{ name: 'S', rows: sheetOf(1000) }]).map((e) => ({ ...e, method: 0 as const })),
    );
    const at = stored.indexOf('xxxxxxxx');
    stored.write('yyyy', at);
    const corrupt = await failure(stored);
    expect(corrupt.code).toBe('UPLOAD_UNREADABLE');
    expect(JSON.stringify(corrupt.detail)).toContain('fails its CRC');
    expect((await failure(Buffer.from('PK\u0003\u0004 not really a zip'))).code).toBe('UPLOAD_UNREADABLE');
  });
});

describe('a workbook written by exceljs', () => {
  test('values, rich text, dates, booleans, errors, hyperlinks and formulas, hidden first sheet, shared strings', async () => {
    const wb = new ExcelJS.Workbook();
    const hidden = wb.addWorksheet('Hidden');
    hidden.state = 'hidden';
    hidden.addRow(['x']);
    const ws = wb.addWorksheet('Data');
    ws.addRow(['Name', 'Amount', 'Day', 'Flag', 'Calc']);
    ws.addRow(['Acme, "Inc"', 1.25, new Date(Date.UTC(2024, 1, 29)), true, { formula: 'B2*2', result: 2.5 }]);
    ws.addRow([
      { richText: [{ text: 'bold ', font: { bold: true } }, { text: 'plain' }] },
      -3,
      new Date(Date.UTC(2024, 1, 29, 13, 45, 10)),
      false,
      { error: '#DIV/0!' },
    ]);
    ws.addRow([{ text: 'site', hyperlink: 'https://example.test/' }, null, null, null, 'tab\there']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const { result, csv } = await convert(file);
    expect(result).toEqual({ sheet: 'Data', sheets: ['Hidden', 'Data'], rows: 3 });
    expect(csv).toBe(
      '"Name","Amount","Day","Flag","Calc"\n' +
        '"Acme, ""Inc""","1.25","2024-02-29","true","=B2*2"\n' +
        '"bold plain","-3","2024-02-29 13:45:10","false","#DIV/0!"\n' +
        '"site","","","","tab\there"\n',
    );
  });

  test('the streaming writer (inline strings, no shared strings), as the bench writes it', async () => {
    const file = join(dir, `stream-${++n}.xlsx`);
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: file,
      useStyles: true,
      useSharedStrings: false,
    });
    const ws = wb.addWorksheet('Rows');
    ws.addRow(['id', 'name', 'day']).commit();
    for (let i = 0; i < 3000; i++)
      ws.addRow([i, `name ${i}`, new Date(Date.UTC(2020, 0, 1 + (i % 40)))]).commit();
    ws.commit();
    await wb.commit();
    const converted = await xlsxToCsv(file, null, LIMITS);
    expect(converted.rows).toBe(3000);
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines[0]).toBe('"id","name","day"');
    expect(lines[1]).toBe('"0","name 0","2020-01-01"');
    expect(lines[3000]).toBe('"2999","name 2999","2020-02-09"');
  });
});
