import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  duckdbVersionPlace,
  mysqlVersionPlace,
  postgresVersionPlace,
  type VersionPlace,
} from '../../../../test/engine-contract/version-places.js';
import { serviceGate } from '../../../../test/test-services.js';
import type { Cell } from '../../../../contract/index.js';
import { VersionSchemaError, type VersionWriter, type VersionedTable } from '../../version-writer.js';
import { openVersionWriter } from '../index.js';

/**
 * The version-writer contract (version-writer.ts): uploads' versioned tables on DuckDB, PostgreSQL
 * and MariaDB give the same answers — an import lands every row with its value (COPY's escapes,
 * MySQL's bound values), nothing is visible before `publish` and nothing stays after `close` without
 * it, replace/append/upsert, a rollback is a switch, retention drops rows but never the current
 * version, other organisations are untouched, a failure mid-load leaves nothing half-imported, and the
 * schema is checked.
 */
const pgGate = await serviceGate('postgres', 'PostgreSQL version-writer contract tests');
const myGate = await serviceGate('mysql', 'MariaDB version-writer contract tests');
const suffix = () => `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

const PLACES = [
  { name: 'duckdb', available: true, make: () => duckdbVersionPlace() },
  {
    name: 'postgres',
    available: pgGate.available,
    make: () => postgresVersionPlace(pgGate.url, suffix()),
  },
  { name: 'mysql', available: myGate.available, make: () => mysqlVersionPlace(myGate.url, suffix()) },
] as const;

const spec = (table: string): VersionedTable => ({
  target: 'vw_items',
  table,
  tenantColumn: 'org',
  key: ['id'],
  columns: [
    { name: 'id', type: 'VARCHAR' },
    { name: 'n', type: 'INTEGER' },
    { name: 'day', type: 'DATE' },
    { name: 'score', type: 'DOUBLE' },
    { name: 'ok', type: 'BOOLEAN' },
    { name: 'big', type: 'BIGINT' },
    { name: 'stamp', type: 'TIMESTAMP' },
    { name: 'note', type: 'VARCHAR' },
  ],
});

/** Text that COPY's format and bound values must carry unchanged. */
const TRICKY = 'tab\there, line\nbreak, cr\r, back\\slash, \\N, quote\'s "dq", Zürich 東京 😀';

/** Writes a typed rows file as the upload check does (Parquet, the declared columns by name). */
async function writeRows(file: string, select: string): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(
      `COPY (SELECT id::VARCHAR AS id, n::INTEGER AS n, day::DATE AS day, score::DOUBLE AS score, ok::BOOLEAN AS ok,
                    big::BIGINT AS big, stamp::TIMESTAMP AS stamp, note::VARCHAR AS note FROM (${select}))
       TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return file;
}

/** Rows `id` = prefix + i for i in [from, to), simple values. */
const series = (
  prefix: string,
  from: number,
  to: number,
  note = "'x'",
  day = `DATE '2024-01-01' + CAST(i % 300 AS INTEGER)`,
) =>
  `SELECT '${prefix}' || i AS id, i AS n, ${day} AS day, i / 4 AS score,
          i % 2 = 0 AS ok, i * 1000000000000 AS big, TIMESTAMP '2024-01-01 00:00:00' AS stamp, ${note} AS note
   FROM range(${from}, ${to}) AS t(i)`;

/** A cell as text, whatever the engine's driver made of it (MySQL's booleans are 0/1, BIGINT may be text). */
function norm(cell: Cell, column: string): string | null {
  if (cell === null) return null;
  if (column === 'ok') return String(cell === true || cell === 1 || cell === '1' || cell === 'true');
  if (column === 'day') return String(cell).slice(0, 10);
  if (column === 'stamp')
    return String(cell).replace('T', ' ').replace(/Z$/, '').replace(/\.0+$/, '').slice(0, 19);
  return String(cell);
}

describe.each(PLACES)('version writer contract: $name', ({ name, available, make }) => {
  const id = suffix();
  const table = `vw_items_${id}`;
  const versioned = spec(table);
  let place: VersionPlace | undefined;
  const readDir = mkdtempSync(path.join(tmpdir(), 'trellis-version-rows-'));
  const rowsFile = (label: string) => path.join(readDir, `${label}.parquet`);

  beforeAll(async () => {
    if (available) place = await make();
  });
  afterAll(async () => {
    await place?.teardown();
    rmSync(readDir, { recursive: true, force: true });
  });

  const open = () => openVersionWriter((place as VersionPlace).target(readDir), versioned);
  const session = async <T>(work: (w: VersionWriter) => Promise<T>, publish = true): Promise<T> => {
    const writer = await open();
    try {
      const result = await work(writer);
      if (publish) await writer.publish();
      return result;
    } finally {
      await writer.close();
    }
  };
  /** What a dataset reads: the view's rows of one organisation, by id. */
  const read = async (org: string, columns = ['id', 'n']): Promise<(string | null)[][]> => {
    const reader = await (place as VersionPlace).reader();
    try {
      const q = reader.dialect.quoteIdentifier;
      const r = await reader.run(
        {
          // BIGINT as text: the Engine seam's cells are JS numbers, which would round 2^53 + 1.
          sql: `SELECT ${columns.map((c) => (c === 'big' ? reader.dialect.castToText(q(c)) : q(c))).join(', ')} FROM ${q(table)} WHERE ${q('org')} = ${reader.dialect.placeholder(1)} ORDER BY ${q('id')}`,
          params: [org],
        },
        { timeoutMs: 30_000, maxRows: 100_000, maxBytes: 64 * 1024 * 1024 },
      );
      return r.rows.map((row) => row.map((cell, i) => norm(cell, columns[i] ?? '')));
    } finally {
      await reader.close();
    }
  };
  const ids = async (org: string) => (await read(org)).map((r) => r[0]);

  test.skipIf(!available)(
    'an import lands every row with its value, visible only once published',
    async () => {
      const file = await writeRows(
        rowsFile('v1'),
        `SELECT * FROM (VALUES
         ('a', 1, DATE '2024-02-29', 1.5, true, 9007199254740993, TIMESTAMP '2024-03-04 05:06:07', ${`'${TRICKY.replace(/'/g, "''")}'`}),
         ('b', -2, DATE '1999-12-31', -0.25, false, -1, TIMESTAMP '2000-01-01 00:00:00', ''),
         ('c', NULL, NULL, NULL, NULL, NULL, NULL, NULL)
       ) AS t(id, n, day, score, ok, big, stamp, note)`,
      );
      // Closed without publish: nothing of it is seen, and the next session finds no current version.
      await session(async (w) => {
        expect(await w.importVersion('acme', 1, 'replace', file)).toBe(3);
        expect(await w.currentVersion('acme')).toBe(1);
      }, false);
      await session(async (w) => expect(await w.currentVersion('acme')).toBeNull(), false);

      await session(async (w) => expect(await w.importVersion('acme', 1, 'replace', file)).toBe(3));
      const all = ['id', 'n', 'day', 'score', 'ok', 'big', 'stamp', 'note'];
      expect(await read('acme', all)).toEqual([
        ['a', '1', '2024-02-29', '1.5', 'true', '9007199254740993', '2024-03-04 05:06:07', TRICKY],
        ['b', '-2', '1999-12-31', '-0.25', 'false', '-1', '2000-01-01 00:00:00', ''],
        ['c', null, null, null, null, null, null, null],
      ]);
      expect(await read('globex')).toEqual([]);
    },
  );

  test.skipIf(!available)(
    'append, upsert and replace build each new version from the current one',
    async () => {
      await writeRows(rowsFile('v2'), series('d', 0, 3));
      await session(async (w) => {
        expect(await w.importVersion('acme', 2, 'append', rowsFile('v2'))).toBe(6);
      });
      expect(await ids('acme')).toEqual(['a', 'b', 'c', 'd0', 'd1', 'd2']);

      // Upsert: 'a' and 'd1' are replaced by the file's rows, 'e9' is new, the rest stay.
      await writeRows(
        rowsFile('v3'),
        `SELECT * FROM (${series('d', 1, 2)}) UNION ALL SELECT * FROM (${series('e', 9, 10)}) UNION ALL SELECT 'a', 100, NULL, NULL, NULL, NULL, NULL, NULL`,
      );
      await session(async (w) => {
        expect(await w.importVersion('acme', 3, 'upsert', rowsFile('v3'))).toBe(7);
      });
      expect(await read('acme')).toEqual([
        ['a', '100'],
        ['b', '-2'],
        ['c', null],
        ['d0', '0'],
        ['d1', '1'],
        ['d2', '2'],
        ['e9', '9'],
      ]);
      await writeRows(rowsFile('v4'), series('f', 0, 2));
      await session(async (w) => {
        expect(await w.importVersion('acme', 4, 'replace', rowsFile('v4'))).toBe(2);
        // The older versions keep their rows until retention removes them.
        expect(await w.count('acme', 3)).toBe(7);
      });
      expect(await ids('acme')).toEqual(['f0', 'f1']);
    },
  );

  test.skipIf(!available)('a rollback switches to a kept version; an unknown one is refused', async () => {
    expect(await session((w) => w.switchTo('acme', 2))).toBe(true);
    expect(await ids('acme')).toEqual(['a', 'b', 'c', 'd0', 'd1', 'd2']);
    expect(await session((w) => w.switchTo('acme', 99))).toBe(false);
    expect(await session((w) => w.switchTo('globex', 2))).toBe(false);
    await session((w) => w.switchTo('acme', 4));
    expect(await ids('acme')).toEqual(['f0', 'f1']);
  });

  test.skipIf(!available)('another organisation’s versions and rows are its own', async () => {
    await writeRows(rowsFile('g1'), series('a', 0, 5));
    await session(async (w) => {
      expect(await w.currentVersion('globex')).toBeNull();
      expect(await w.importVersion('globex', 1, 'upsert', rowsFile('g1'))).toBe(5);
    });
    expect(await ids('globex')).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(await ids('acme')).toEqual(['f0', 'f1']);
    await session(async (w) => {
      expect(await w.currentVersion('acme')).toBe(4);
      expect(await w.count('acme', 1)).toBe(3);
      // Retention of globex's versions never touches acme's rows of the same numbers.
      await w.removeVersions('globex', [1]);
      expect(await w.count('globex', 1)).toBe(5); // the current one is never removed
    });
  });

  test.skipIf(!available)('retention deletes old versions’ rows, never the current one', async () => {
    await session((w) => w.removeVersions('acme', [1, 2, 4]));
    await session(async (w) => {
      expect(await w.count('acme', 1)).toBe(0);
      expect(await w.count('acme', 2)).toBe(0);
      expect(await w.count('acme', 3)).toBe(7);
      expect(await w.count('acme', 4)).toBe(2);
      expect(await w.switchTo('acme', 1)).toBe(false);
    });
    expect(await ids('acme')).toEqual(['f0', 'f1']);
  });

  // DuckDB's import is one INSERT … SELECT from the Parquet file inside a private copy of the served
  // file: the copy is the all-or-nothing (closed without publish above). The servers load in batches
  // inside one transaction; a value the server refuses part way through must leave nothing behind.
  // Defined for the servers only, so DuckDB's run counts no skip for a case it cannot have.
  if (name !== 'duckdb')
    test.skipIf(!available)(
      'a failure mid-load leaves the served version whole and nothing of the new one',
      async () => {
        // The server refuses row 15,000 of 20,000 — several COPY chunks / INSERT batches after the
        // first: PostgreSQL a NUL character in text, MariaDB a date past year 9999 (DuckDB has them).
        const file =
          name === 'postgres'
            ? await writeRows(
                rowsFile('bad'),
                series('z', 0, 20_000, `CASE WHEN i = 15000 THEN 'nul' || chr(0) || 'byte' ELSE 'ok' END`),
              )
            : await writeRows(
                rowsFile('bad'),
                series(
                  'z',
                  0,
                  20_000,
                  "'ok'",
                  `CASE WHEN i = 15000 THEN DATE '12345-01-01' ELSE DATE '2024-01-01' END`,
                ),
              );
        const writer = await open();
        try {
          await expect(writer.importVersion('acme', 5, 'append', file)).rejects.toThrow(/0x00|date/i);
        } finally {
          await writer.close();
        }
        expect(await ids('acme')).toEqual(['f0', 'f1']);
        await session(async (w) => {
          expect(await w.currentVersion('acme')).toBe(4);
          expect(await w.count('acme', 5)).toBe(0);
        }, false);
      },
    );

  test.skipIf(!available)('a cell past 64 KB (the default cell limit) lands whole', async () => {
    const file = await writeRows(rowsFile('wide'), series('w', 0, 2, `repeat('é', 40000)`));
    await session(async (w) => expect(await w.importVersion('wide', 1, 'replace', file)).toBe(2));
    const notes = await read('wide', ['id', 'note']);
    expect(notes.map((r) => r[1]?.length)).toEqual([40_000, 40_000]);
  });

  test.skipIf(!available)('a large file arrives whole, in many batches', async () => {
    const file = await writeRows(rowsFile('big'), series('y', 0, 30_000, `'note ' || i`));
    await session(async (w) => expect(await w.importVersion('acme', 6, 'replace', file)).toBe(30_000));
    const reader = await (place as VersionPlace).reader();
    try {
      const q = reader.dialect.quoteIdentifier;
      const r = await reader.run(
        {
          sql: `SELECT count(*), sum(${q('n')}), count(DISTINCT ${q('id')}) FROM ${q(table)} WHERE ${q('org')} = ${reader.dialect.placeholder(1)}`,
          params: ['acme'],
        },
        { timeoutMs: 30_000, maxRows: 10, maxBytes: 1_000_000 },
      );
      expect(r.rows[0]?.map(Number)).toEqual([30_000, (29_999 * 30_000) / 2, 30_000]);
    } finally {
      await reader.close();
    }
  });

  // DuckDB has no server to be unreachable: its file is copied in the process.
  // Defined for the servers only, so DuckDB's run counts no skip for a case it cannot have.
  if (name !== 'duckdb')
    test.skipIf(!available)('a server that cannot be reached is SOURCE_UNAVAILABLE', async () => {
      const target = (place as VersionPlace).target(readDir);
      if (target.kind === 'duckdb') return;
      const u = new URL(target.url);
      u.port = '1'; // nothing listens there
      await expect(openVersionWriter({ ...target, url: u.toString() }, versioned)).rejects.toMatchObject({
        code: 'SOURCE_UNAVAILABLE',
      });
    });

  test.skipIf(!available)('a declared type the stored column does not hold is refused', async () => {
    const changed: VersionedTable = {
      ...versioned,
      columns: versioned.columns.map((c) => (c.name === 'n' ? { ...c, type: 'DATE' } : c)),
    };
    await expect(openVersionWriter((place as VersionPlace).target(readDir), changed)).rejects.toBeInstanceOf(
      VersionSchemaError,
    );
    const taken = `vw_taken_${id}`;
    await (place as VersionPlace).raw(`CREATE TABLE "${taken}" (x INTEGER)`);
    await expect(
      openVersionWriter((place as VersionPlace).target(readDir), { ...versioned, table: taken }),
    ).rejects.toBeInstanceOf(VersionSchemaError);
  });

  test.skipIf(!available)('a column added to the target joins the storage table and the view', async () => {
    const wider: VersionedTable = {
      ...versioned,
      columns: [...versioned.columns, { name: 'extra', type: 'VARCHAR' }],
    };
    const file = path.join(readDir, 'wider.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run(
      `COPY (SELECT id, n, day, score, ok, big, stamp, note, 'E' AS extra FROM read_parquet('${rowsFile('v4')}')) TO '${file}' (FORMAT parquet)`,
    );
    conn.closeSync();
    instance.closeSync();
    const writer = await openVersionWriter((place as VersionPlace).target(readDir), wider);
    try {
      expect(await writer.importVersion('acme', 7, 'replace', file)).toBe(2);
      await writer.publish();
    } finally {
      await writer.close();
    }
    expect(await read('acme', ['id', 'extra'])).toEqual([
      ['f0', 'E'],
      ['f1', 'E'],
    ]);
  });
});
