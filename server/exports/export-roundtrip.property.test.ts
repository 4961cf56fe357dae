import { buffer } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, expect, test } from 'vitest';
import type { Cell, ResultColumn } from '../../contract/index.js';
import { ExportReader } from '../../test/export-readers.js';
import type { RowBatch } from '../query/engine.js';
import type { ExportSource } from './export-formats.js';
import { csvExport, jsonExport, ndjsonExport } from './text-export.js';
import { xlsxExport, xlsxText } from './xlsx-export.js';

/**
 * Round trips: generated rows (unicode, quotes, newlines, formula-looking text, nulls, large numbers,
 * dates, timestamps, booleans) written as CSV, XLSX, JSON and NDJSON, then read back by independent
 * readers — DuckDB's CSV reader, exceljs's workbook reader, JSON.parse — must give the same rows, with
 * text that a spreadsheet would run as a formula defused in CSV (a leading apostrophe) and stored as
 * plain text (never a formula cell) in XLSX. XLSX is XML: line breaks read back as LF and control
 * characters are dropped (xlsxText), which the expectation applies explicitly.
 */
const COLUMNS: ResultColumn[] = [
  { key: 'label', label: 'Label "quoted", with comma', type: 'string', role: 'value' },
  { key: 'amount', label: 'Amount', type: 'number', role: 'value' },
  { key: 'big', label: 'Big', type: 'number', role: 'value' },
  { key: 'day', label: 'Day', type: 'date', role: 'value' },
  { key: 'at', label: 'At', type: 'timestamp', role: 'value' },
  { key: 'flag', label: 'Flag', type: 'boolean', role: 'value' },
];

const FORMULA_START = /^[=+\-@\t\r]/;
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  // NUL aside: DuckDB's CSV reader (the independent reader here) stops at it.
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.split(String.fromCharCode(0)).join('')),
  fc.constantFrom(
    '=1+1',
    '+SUM(A1)',
    '-2',
    '@cmd',
    '\tlead',
    '\rcr',
    'a\r\nb',
    'say "hi"',
    '',
    ' ',
    'ünïcødé 🌍',
  ),
  fc
    .tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r'), fc.string({ maxLength: 8 }))
    .map(([a, b]) => a + b),
);
const day = fc
  .integer({ min: Date.UTC(1900, 0, 1) / 86_400_000, max: Date.UTC(2200, 0, 1) / 86_400_000 })
  .map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));
const at = fc
  .integer({ min: Date.UTC(1970, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 })
  .map((s) => new Date(s * 1000).toISOString().slice(0, 19));
const row = fc.tuple(
  fc.option(text, { nil: null }),
  fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), { nil: null }),
  fc.option(fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 40, 1e20, -0.000001), {
    nil: null,
  }),
  fc.option(day, { nil: null }),
  fc.option(at, { nil: null }),
  fc.option(fc.boolean(), { nil: null }),
);
const rowsArb = fc.array(row, { minLength: 0, maxLength: 40 });

function source(rows: Cell[][], batchSize = 7): ExportSource {
  async function* batches(): AsyncGenerator<RowBatch> {
    const columns = COLUMNS.map((c) => c.key);
    yield { columns, rows: [] };
    for (let i = 0; i < rows.length; i += batchSize) yield { columns, rows: rows.slice(i, i + batchSize) };
  }
  return { columns: COLUMNS, batches: batches() };
}

const reader = await ExportReader.open();
afterAll(() => reader.close());

/** What a CSV cell reads back as: text defused, numbers and booleans in their plain text form. */
function csvExpected(v: Cell): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return FORMULA_START.test(v) ? `'${v}` : v;
  return String(v);
}

test('CSV reads back to the same rows, formula-looking text defused', async () => {
  await fc.assert(
    fc.asyncProperty(rowsArb, fc.boolean(), async (rows, bom) => {
      const csv = await buffer(Readable.from(csvExport(source(rows), { bom }), { objectMode: false }));
      expect(csv.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(bom);
      const body = bom ? csv.subarray(3) : csv;
      const header = body.toString('utf8').split('\r\n', 1)[0];
      expect(header).toBe(COLUMNS.map((c) => `"${c.label.replace(/"/g, '""')}"`).join(','));
      const back = await reader.csv(body, COLUMNS.length);
      expect(back).toEqual(rows.map((r) => r.map(csvExpected)));
      // The text column never starts a formula (numbers may be negative: they are numbers).
      for (const r of back) expect(FORMULA_START.test(r[0] ?? '')).toBe(false);
    }),
    { numRuns: 150 },
  );
}, 120_000);

test('XLSX reads back to the same typed rows, with no formula cell and a frozen header', async () => {
  await fc.assert(
    fc.asyncProperty(rowsArb, async (rows) => {
      const file = await buffer(xlsxExport(source(rows)));
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(file as unknown as ArrayBuffer);
      const sheet = book.getWorksheet('Data');
      expect(sheet).toBeDefined();
      if (!sheet) return;
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(COLUMNS.map((c) => c.label));
      // A row of nothing but nulls has no cells to store; the sheet ends at the last row with one.
      const lastWithValue = rows.findLastIndex((r) => r.some((v) => v !== null));
      expect(sheet.rowCount).toBe(lastWithValue + 2);
      rows.forEach((r, i) => {
        const got = sheet.getRow(i + 2);
        r.forEach((want, j) => {
          const cell = got.getCell(j + 1);
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
          const value = cell.value;
          const column = COLUMNS[j];
          // An empty text cell is no cell in XLSX: it reads back empty, like null.
          if (want === null || (typeof want === 'string' && xlsxText(want) === ''))
            expect(value ?? null).toBeNull();
          else if ((column?.type === 'date' || column?.type === 'timestamp') && typeof want === 'string')
            expect((value as Date).toISOString().slice(0, want.length)).toBe(want);
          // Spreadsheets have no negative zero either.
          else if (typeof want === 'string') expect(value ?? '').toBe(xlsxText(want));
          else expect(value).toEqual(Object.is(want, -0) ? 0 : want);
        });
      });
    }),
    { numRuns: 60 },
  );
}, 120_000);

test('JSON and NDJSON read back to the same rows, keyed by column', async () => {
  await fc.assert(
    fc.asyncProperty(rowsArb, async (rows) => {
      // JSON has no negative zero: -0 is written (and read) as 0.
      const plain = (v: Cell | undefined) => (Object.is(v, -0) ? 0 : (v ?? null));
      const objects = rows.map((r) => Object.fromEntries(COLUMNS.map((c, i) => [c.key, plain(r[i])])));
      const json = await buffer(Readable.from(jsonExport(source(rows)), { objectMode: false }));
      expect(JSON.parse(json.toString('utf8'))).toEqual(objects);
      const nd = (await buffer(Readable.from(ndjsonExport(source(rows)), { objectMode: false }))).toString(
        'utf8',
      );
      const lines = nd.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(objects);
    }),
    { numRuns: 100 },
  );
}, 60_000);
