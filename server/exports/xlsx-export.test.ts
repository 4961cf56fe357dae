import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import { expect, test } from 'vitest';
import type { Cell, ResultColumn } from '../../contract/index.js';
import { TrellisError } from '../errors.js';
import type { RowBatch } from '../query/engine.js';
import { xlsxExport } from './xlsx-export.js';

const COLUMNS: ResultColumn[] = [
  { key: 'name', label: 'Name', type: 'string', role: 'value' },
  { key: 'n', label: 'N', type: 'number', role: 'value' },
  { key: 'day', label: 'Day', type: 'date', role: 'value' },
];

function source(batches: Cell[][][]) {
  async function* all(): AsyncGenerator<RowBatch> {
    for (const rows of batches) yield { columns: COLUMNS.map((c) => c.key), rows };
  }
  return { columns: COLUMNS, batches: all() };
}

test('the header is bold, columns as wide as their content, dates formatted as dates', async () => {
  const long = 'a rather long name of forty characters..';
  const file = await buffer(xlsxExport(source([[[long, 1, '2024-02-29']], [['b', 2, null]]])));
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(file as unknown as ArrayBuffer);
  const sheet = book.getWorksheet('Data');
  expect(sheet?.getRow(1).getCell(1).font?.bold).toBe(true);
  expect(sheet?.getColumn(1).width).toBe(long.length + 2);
  expect(sheet?.getColumn(2).width).toBe(8); // the minimum
  expect(sheet?.getColumn(3).width).toBe(12); // a date's ten characters
  expect(sheet?.getRow(2).getCell(3).numFmt).toBe('yyyy-mm-dd');
  expect(sheet?.getRow(3).getCell(2).value).toBe(2);
});

test('a sheet larger than the zip can hold ends the download with EXPORT_TOO_LARGE', async () => {
  const rows: Cell[][] = Array.from({ length: 2_000 }, (_, i) => [`row ${i} ${Math.random()}`, i, null]);
  const body = xlsxExport(source([rows, rows, rows]), { zipLimit: 20_000 });
  const failure = await buffer(body).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(TrellisError);
  expect((failure as TrellisError).code).toBe('EXPORT_TOO_LARGE');
});
