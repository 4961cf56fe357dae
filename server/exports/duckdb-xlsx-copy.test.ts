import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ResultColumn } from '../../contract/index.js';
import { createMiniProject } from '../../test/mini-project.js';
import type { Engine } from '../query/engine.js';
import { openDuckDB } from '../query/engines/duckdb/index.js';
import { xlsxAroundRows, xlsxExport } from './xlsx-export.js';

/**
 * DuckDB's own sheet rows (copyXlsxRowsToFile, the fast path of XLSX exports) against the JS writer's
 * workbook of the same streamed rows: read back by exceljs, every cell has the same type and value —
 * text with quotes, markup characters, line breaks and unicode; numbers; dates and timestamps as dates;
 * booleans; NULL, NaN and empty text as no cell — in the query's row order.
 */
let engine: Engine;

beforeAll(async () => {
  const mini = await createMiniProject();
  engine = await openDuckDB(
    { type: 'duckdb', path: 'data/mini.duckdb', allowed_directories: ['data'], pool: { size: 2, queue: 3 } },
    mini.dir,
  );
});
afterAll(async () => {
  await engine?.close();
});

const TEXTS = [
  '=1+2',
  '<b>bold</b> & co',
  '\tTab',
  '\rCR',
  'a "quoted" word',
  'two\nlines',
  'crlf\r\ninside',
  'ünïcødé ✓ 𝄞',
  '',
  '  padded  ',
  `bell${String.fromCharCode(7)}rings`,
  'plain',
];

const SQL = `
  SELECT t.k AS k, t.s AS s, t.k * 1.5 - 4 AS d, CAST(t.k AS DECIMAL(10, 2)) / 4 AS dec,
         DATE '2024-02-28' + CAST(t.k AS INTEGER) AS day, TIMESTAMP '2024-02-28 13:14:15.25' + INTERVAL (CAST(t.k AS INTEGER)) MINUTE AS ts,
         t.k % 2 = 0 AS even
  FROM (VALUES ${TEXTS.map((t, k) => `(${k}, '${t.replace(/'/g, "''")}')`).join(', ')}) AS t(k, s)
  UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL
  UNION ALL SELECT 99, 'nan', CAST('NaN' AS DOUBLE), NULL, NULL, TIMESTAMP '2024-01-01 00:00:00', NULL
  UNION ALL SELECT 100, 'last', 1e20, -0.25, DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59', false
  ORDER BY k NULLS LAST`;

const column = (key: string, type: ResultColumn['type']): ResultColumn => ({
  key,
  label: key,
  type,
  role: 'value',
});
const COLUMNS = [
  column('k', 'number'),
  column('s', 'string'),
  column('d', 'number'),
  column('dec', 'number'),
  column('day', 'date'),
  column('ts', 'timestamp'),
  column('even', 'boolean'),
];

async function copied(sql: string, columns: readonly ResultColumn[]): Promise<Buffer> {
  const copy = await (engine.copyXlsxRowsToFile as NonNullable<Engine['copyXlsxRowsToFile']>)(
    { sql, params: [] },
    { timeoutMs: 30_000, tenant: 't' },
  );
  if (!copy) throw new Error('expected DuckDB to write these rows itself');
  try {
    return await buffer(
      xlsxAroundRows(columns, createReadStream(copy.file) as Readable & AsyncIterable<Buffer>),
    );
  } finally {
    await rm(copy.file);
  }
}

async function cells(file: Buffer): Promise<unknown[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(file as unknown as ArrayBuffer);
  const sheet = book.getWorksheet('Data');
  if (!sheet) throw new Error('no sheet Data');
  expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  const out: unknown[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const values: unknown[] = [];
    for (let j = 1; j <= 7; j++) {
      const cell = row.getCell(j);
      values.push([cell.type, cell.value instanceof Date ? cell.value.toISOString() : (cell.value ?? null)]);
    }
    out[n - 1] = values;
  });
  return out;
}

test('DuckDB writes the same sheet rows as the JS writer: types, values, order', async () => {
  const ours = await cells(await copied(SQL, COLUMNS));
  const theirs = await cells(
    await buffer(
      xlsxExport({
        columns: COLUMNS,
        batches: engine.stream({ sql: SQL, params: [] }, { timeoutMs: 30_000 }),
      }),
    ),
  );
  // The header, every text, the NaN row and the last; the row of NULLs has no cell, so no row.
  expect(ours.length).toBe(1 + TEXTS.length + 2);
  expect(ours).toEqual(theirs);
  // Spot checks of what the comparison stands on.
  expect(ours[0]?.[0]).toEqual([ExcelJS.ValueType.String, 'k']);
  expect(ours[2]?.[1]).toEqual([ExcelJS.ValueType.String, '<b>bold</b> & co']);
  expect(ours[6]?.[1]).toEqual([ExcelJS.ValueType.String, 'two\nlines']);
  expect(ours[11]?.[1]).toEqual([ExcelJS.ValueType.String, 'bellrings']);
  expect(ours[1]?.[4]).toEqual([ExcelJS.ValueType.Date, '2024-02-28T00:00:00.000Z']);
  expect(ours[1]?.[5]).toEqual([ExcelJS.ValueType.Date, '2024-02-28T13:14:15.250Z']);
  expect(ours.at(-1)?.[2]).toEqual([ExcelJS.ValueType.Number, 1e20]);
});

test('rows keep the statement’s order past DuckDB’s first chunk', async () => {
  const file = await copied('SELECT k FROM range(5000) AS t(k) ORDER BY k DESC', [column('k', 'number')]);
  const got = (await cells(file)).slice(1).map((r) => (r[0] as [unknown, unknown])[1]);
  expect(got).toEqual(Array.from({ length: 5000 }, (_, i) => 4999 - i));
});

test('a result with a type only the JS writer renders (a list) is left to the stream', async () => {
  const copy = await (engine.copyXlsxRowsToFile as NonNullable<Engine['copyXlsxRowsToFile']>)(
    { sql: 'SELECT [1, 2] AS l', params: [] },
    { timeoutMs: 10_000 },
  );
  expect(copy).toBeUndefined();
});
