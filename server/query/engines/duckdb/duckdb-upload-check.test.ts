import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { UploadColumn, UploadTarget } from '../../../config/project/upload.types.js';
import { CHECK_MEMORY_LIMIT, CHECK_MEMORY_PER_COLUMN_MB } from '../../../uploads/uploads.service.js';
import { DuckDBScratch } from './duckdb-scratch.js';
import { DuckDBUploadCheck, widerLimit } from './duckdb-upload-check.js';

/**
 * The check session within its production memory limit on files whose columns are all distinct:
 * the profile's distinct counts are one hash table per column, and eight of them at once did not fit
 * 32 MB ("failed to pin block") — a realistic file (ids, e-mails, names) was then UPLOAD_UNREADABLE.
 */
const ROWS = 150_000;
const WIDTH = 8;

let dir: string;
let csv: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'trellis-upload-check-'));
  csv = path.join(dir, 'wide.csv');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const columns = Array.from({ length: WIDTH }, (_, c) => `'v${c}-' || (i * ${c + 7}) AS c${c}`);
  await conn.run(
    `COPY (SELECT i AS id, ${columns.join(', ')} FROM range(${ROWS}) t(i)) TO '${csv.replace(/'/g, "''")}' (HEADER)`,
  );
  conn.closeSync();
  db.closeSync();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function column(name: string, type: UploadColumn['type']): UploadColumn {
  return {
    name,
    header: name,
    type,
    required: true,
    allowed: null,
    min: null,
    max: null,
    pattern: null,
    maxLength: null,
  };
}

function target(exactRows: number, width = WIDTH): UploadTarget {
  return {
    id: 'wide',
    file: 'uploads/wide.yaml',
    title: 'Wide',
    role: 'editor',
    source: 'main',
    sourceType: 'duckdb',
    table: 'wide',
    tenantColumn: 'org',
    columns: [column('id', 'BIGINT'), ...Array.from({ length: width }, (_, c) => column(`c${c}`, 'VARCHAR'))],
    key: ['id'],
    mode: 'replace',
    formats: ['csv'],
    limits: { bytes: 256 * 1024 ** 2, rows: 10_000_000, columns: 100, cellBytes: 10_000 },
    extraColumns: 'reject',
    invalidRows: { action: 'reject', maxShare: 0 },
    keepVersions: 10,
    profile: { exactRows },
    datasets: [],
  };
}

describe('upload check within its memory limit', () => {
  test.each([
    ['exact', 1_000_000],
    ['estimated', 1_000],
  ])(
    '%s profile of a file whose every column is distinct',
    async (_kind, exactRows) => {
      const spillDir = path.join(dir, `spill-${exactRows}`);
      const check = await DuckDBUploadCheck.open(dir, csv, 'csv', target(exactRows), {
        memoryLimit: CHECK_MEMORY_LIMIT,
        spillDir,
      });
      try {
        const validation = await check.validate();
        expect(validation.totalRows).toBe(ROWS);
        expect(validation.invalidRows).toBe(0);
        const profile = await check.profile();
        expect(profile.approximate).toBe(exactRows < ROWS);
        expect(profile.columns.map((c) => c.distinct)).toEqual(Array<number>(WIDTH + 1).fill(ROWS));
        expect(profile.duplicateRows).toBe(0);
        expect(profile.duplicateKeys).toBe(0);
        const id = profile.columns[0];
        expect([id?.min, id?.max]).toEqual(['0', String(ROWS - 1)]);
      } finally {
        await check.close();
      }
    },
    60_000,
  );

  test('duplicate rows when no key repeats: only rows without a key can repeat, and they are counted', async () => {
    // Keys 1..3 once each (rows 1 and 2 differ by their id only: no duplicate row); the two rows
    // without an id repeat each other: one duplicate row.
    const file = path.join(dir, 'blank-keys.csv');
    const other = Array.from({ length: WIDTH }, (_, c) => `a${c}`).join(',');
    const header = ['id', ...Array.from({ length: WIDTH }, (_, c) => `c${c}`)].join(',');
    writeFileSync(
      file,
      `${header}\n1,${other}\n2,${other}\n,${other}\n3,${other.replace('a0', 'b0')}\n,${other}\n`,
    );
    const check = await DuckDBUploadCheck.open(dir, file, 'csv', target(1_000), {
      memoryLimit: CHECK_MEMORY_LIMIT,
      spillDir: path.join(dir, 'spill-blank'),
    });
    try {
      await check.validate();
      const profile = await check.profile();
      expect([profile.duplicateKeys, profile.duplicateRows]).toEqual([0, 1]);
    } finally {
      await check.close();
    }
  });

  test('the valid rows keep the file order, the invalid ones left out', async () => {
    // 300,000 rows whose id is their row number; every 997th id does not cast (a type failure).
    const file = path.join(dir, 'ordered.csv');
    const rows = path.join(dir, 'ordered.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const cells = Array.from({ length: WIDTH }, (_, c) => `'v${c}' AS c${c}`).join(', ');
    await conn.run(
      `COPY (SELECT CASE WHEN i % 997 = 0 THEN 'x' || i ELSE i::VARCHAR END AS id, ${cells}
       FROM range(1, 300001) t(i)) TO '${file.replace(/'/g, "''")}' (HEADER)`,
    );
    const check = await DuckDBUploadCheck.open(dir, file, 'csv', target(1_000), {
      memoryLimit: CHECK_MEMORY_LIMIT,
      spillDir: path.join(dir, 'spill-ordered'),
    });
    try {
      const validation = await check.validate();
      expect(validation.invalidRows).toBe(Math.floor(300_000 / 997));
      await check.writeValidRows(rows);
    } finally {
      await check.close();
    }
    const read = await conn.runAndReadAll(
      `SELECT count(*) AS n, count(*) FILTER (WHERE id <= prev) AS out_of_order, count(*) FILTER (WHERE id % 997 = 0) AS invalid
       FROM (SELECT id, lag(id, 1, 0) OVER () AS prev FROM read_parquet('${rows.replace(/'/g, "''")}'))`,
    );
    conn.closeSync();
    db.closeSync();
    expect(read.getRowObjectsJson()).toEqual([
      { n: String(300_000 - Math.floor(300_000 / 997)), out_of_order: '0', invalid: '0' },
    ]);
  }, 60_000);

  test('a wide file gets more memory per column and is checked whole', async () => {
    // 200,000 rows × 31 columns ran out of memory within 32 MB (and 64 MB) before the limit grew
    // with the columns; now 8 + 3 × 31 = 101 MB.
    const wide = 30;
    const file = path.join(dir, 'wide30.csv');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const cells = Array.from({ length: wide }, (_, c) => `'value-${c}-' || (i % 1000) AS c${c}`).join(', ');
    await conn.run(
      `COPY (SELECT CASE WHEN i % 997 = 0 THEN 'x' ELSE i::VARCHAR END AS id, ${cells}
       FROM range(1, 200001) t(i)) TO '${file.replace(/'/g, "''")}' (HEADER)`,
    );
    conn.closeSync();
    db.closeSync();
    const options = {
      memoryLimit: CHECK_MEMORY_LIMIT,
      memoryPerColumnMb: CHECK_MEMORY_PER_COLUMN_MB,
      spillDir: path.join(dir, 'spill-wide'),
    };
    expect(widerLimit(options, wide + 1)).toBe(`${8 + CHECK_MEMORY_PER_COLUMN_MB * (wide + 1)}MB`);
    expect(widerLimit(options, 5)).toBeNull();
    const check = await DuckDBUploadCheck.open(dir, file, 'csv', target(1_000, wide), options);
    try {
      const validation = await check.validate();
      expect(validation.invalidRows).toBe(Math.floor(200_000 / 997));
      const profile = await check.profile();
      expect(profile.columns.slice(1).map((c) => c.distinct)).toEqual(Array<number>(wide).fill(1000));
      await check.writeValidRows(path.join(dir, 'wide30.parquet'));
    } finally {
      await check.close();
    }
  }, 60_000);
});

describe('bulk sessions hand freed memory back', () => {
  // DuckDB's default flushes its allocator only past a 512 MB bulk free — never in a 32 MB session —
  // and the freed pages then stayed in the server's RSS (bench `uploads`: +124 → +64 MB with the flush).
  test('the check session flushes its allocator whenever it makes room for a block', async () => {
    const scratch = await DuckDBScratch.open(dir, CHECK_MEMORY_LIMIT);
    try {
      const [r] = await scratch.all(
        "SELECT current_setting('allocator_bulk_deallocation_flush_threshold') AS v",
        [],
      );
      expect(r?.v).toBe('0 bytes');
    } finally {
      await scratch.close();
    }
  });
});
