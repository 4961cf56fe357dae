import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ExportReader } from '../../test/export-readers.js';
import { createMiniProject } from '../../test/mini-project.js';
import { csvDataLine } from '../audit/csv.js';
import type { Engine } from '../query/engine.js';
import { openDuckDB } from '../query/engines/duckdb/index.js';

/**
 * DuckDB's own CSV (copyCsvToFile, the fast path of CSV exports) against the JS writer's CSV of the
 * same streamed rows (csvDataLine): the same records, read back by an independent CSV reader —
 * text byte for byte (quotes, line breaks, unicode, formula-like values defused), timestamps in the
 * same spelling, NULL apart from empty text, NaN as empty — and numbers equal as numbers.
 */
let engine: Engine;
let reader: ExportReader;

beforeAll(async () => {
  const mini = await createMiniProject();
  engine = await openDuckDB(
    { type: 'duckdb', path: 'data/mini.duckdb', allowed_directories: ['data'], pool: { size: 2, queue: 3 } },
    mini.dir,
  );
  reader = await ExportReader.open();
});
afterAll(async () => {
  await engine?.close();
  reader?.close();
});

const TEXTS = [
  '=1+2',
  '+49 30 1234',
  '-3',
  '@SUM(A1)',
  '\tTab',
  '\rCR',
  'a "quoted" word',
  'two\nlines',
  'crlf\r\ninside',
  'ünïcødé ✓ 𝄞',
  '',
  ' =not at the start',
  'plain',
  ",;'",
];

/** Every text (test literals, quotes doubled) with a number, a double, a date, a timestamp and a boolean; NULLs in every column. */
const SQL = `
  SELECT t.k AS k, t.s AS s, t.k * 1.5 - 4 AS d, CAST(t.k AS DECIMAL(10, 2)) / 4 AS dec,
         DATE '2024-02-28' + CAST(t.k AS INTEGER) AS day, TIMESTAMP '2024-02-28 13:14:15.25' + INTERVAL (CAST(t.k AS INTEGER)) MINUTE AS ts,
         t.k % 2 = 0 AS even
  FROM (VALUES ${TEXTS.map((t, k) => `(${k}, '${t.replace(/'/g, "''")}')`).join(', ')}) AS t(k, s)
  UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL
  UNION ALL SELECT 99, 'nan', CAST('NaN' AS DOUBLE), NULL, NULL, TIMESTAMP '2024-01-01 00:00:00', NULL
  ORDER BY k NULLS LAST`;

test('DuckDB writes the same CSV records as the JS writer, formula-like text defused', async () => {
  const query = { sql: SQL, params: [] };
  const copy = await (engine.copyCsvToFile as NonNullable<Engine['copyCsvToFile']>)(query, {
    timeoutMs: 30_000,
    tenant: 't',
  });
  if (!copy) throw new Error('expected DuckDB to write this CSV itself');
  const copied = await readFile(copy.file);
  await rm(copy.file);
  expect(copy.rows).toBe(TEXTS.length + 2);

  let streamed = '';
  for await (const batch of engine.stream(query, { timeoutMs: 30_000, tenant: 't' }))
    for (const row of batch.rows) streamed += csvDataLine(row);

  const header = Buffer.from('"K","S","D","Dec","Day","Ts","Even"\r\n');
  const ours = await reader.csv(Buffer.concat([header, copied]), 7);
  const theirs = await reader.csv(Buffer.concat([header, Buffer.from(streamed)]), 7);
  expect(ours.length).toBe(TEXTS.length + 2);
  const numeric = new Set([0, 2, 3]);
  const normal = (rows: (string | null)[][]) =>
    rows.map((r) => r.map((v, i) => (numeric.has(i) && v !== null ? Number(v) : v)));
  expect(normal(ours)).toEqual(normal(theirs));

  // The raw text, where it matters: every text quoted and defused, NULL empty and unquoted, CRLF.
  const text = copied.toString('utf8');
  for (const defused of ['"\'=1+2"', '"\'+49 30 1234"', '"\'-3"', '"\'@SUM(A1)"', '"\'\tTab"', '"\'\rCR"'])
    expect(text).toContain(defused);
  expect(text).toContain('"a ""quoted"" word"');
  expect(text).toContain('" =not at the start"');
  expect(text).toContain('"2024-02-28T13:14:15.25"');
  expect(text).toContain('\r\n,,,,,,\r\n');
  expect(text.endsWith('\r\n')).toBe(true);
  // NaN is empty, as the JS writer has it (JSON has no NaN).
  expect(ours.find((r) => r[1] === 'nan')?.[2]).toBeNull();
});

test('a result with a type only the JS writer renders (a list) is left to the stream', async () => {
  const copy = await (engine.copyCsvToFile as NonNullable<Engine['copyCsvToFile']>)(
    { sql: 'SELECT [1, 2] AS l', params: [] },
    { timeoutMs: 10_000 },
  );
  expect(copy).toBeUndefined();
});

test('the tenant predicate and LIMIT of the compiled statement hold: COPY runs exactly that statement', async () => {
  const copy = await (engine.copyCsvToFile as NonNullable<Engine['copyCsvToFile']>)(
    { sql: 'SELECT id FROM items WHERE id < $1 ORDER BY id LIMIT 3', params: [2] },
    { timeoutMs: 10_000 },
  );
  if (!copy) throw new Error('expected a copy');
  expect(copy.rows).toBe(2);
  expect(await readFile(copy.file, 'utf8')).toBe('0\r\n1\r\n');
  await rm(copy.file);
});
