/**
 * Writes generated inventory tables to a DuckDB file, the example's default source.
 *
 * The file appears atomically: everything goes to `<file>.tmp`, which is renamed at the end, so a
 * server never opens a half-built database and a failed build leaves the old file in place.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBDateValue, DuckDBInstance, DuckDBTimestampValue } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { ColumnKind, ColumnSpec, InventoryTables, TableName, TableSpec } from './inventory-tables.js';
import {
  TABLE_NAMES,
  forEachTable,
  isoDateToEpochDays,
  isoTimestampToEpochMicros,
} from './inventory-tables.js';

const DUCKDB_TYPES: Readonly<Record<ColumnKind, string>> = {
  text: 'VARCHAR',
  integer: 'INTEGER',
  double: 'DOUBLE',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

export interface BuildDatabaseResult {
  readonly file: string;
  readonly rowCounts: Record<TableName, number>;
  readonly bytes: number;
}

/** Table and column names come from INVENTORY_TABLES (code, not input), quoted all the same. */
function createTableSql<R>(spec: TableSpec<R>): string {
  const defs = spec.columns.map(
    (c) => `"${c.name}" ${DUCKDB_TYPES[c.kind]}${c.name === spec.key ? ' PRIMARY KEY' : ''}`,
  );
  return `CREATE TABLE "${spec.name}" (${defs.join(', ')})`;
}

/** Appends rows; a value of the wrong type is a generator bug and fails the build. */
function appendRows<R>(
  appender: DuckDBAppender,
  columns: readonly ColumnSpec<R>[],
  rows: readonly R[],
): void {
  for (const row of rows) {
    for (const col of columns) {
      const v: unknown = row[col.name];
      if (v === null || v === undefined) {
        appender.appendNull();
        continue;
      }
      const bad = () => new TypeError(`${col.name}: expected ${col.kind}, got ${typeof v}`);
      switch (col.kind) {
        case 'text':
          if (typeof v !== 'string') throw bad();
          appender.appendVarchar(v);
          break;
        case 'integer':
          if (typeof v !== 'number' || !Number.isInteger(v)) throw bad();
          appender.appendInteger(v);
          break;
        case 'double':
          if (typeof v !== 'number') throw bad();
          appender.appendDouble(v);
          break;
        case 'boolean':
          if (typeof v !== 'boolean') throw bad();
          appender.appendBoolean(v);
          break;
        case 'date':
          if (typeof v !== 'string') throw bad();
          appender.appendDate(new DuckDBDateValue(isoDateToEpochDays(v)));
          break;
        case 'timestamp':
          if (typeof v !== 'string') throw bad();
          appender.appendTimestamp(new DuckDBTimestampValue(isoTimestampToEpochMicros(v)));
          break;
      }
    }
    appender.endRow();
  }
}

async function removeDatabaseFiles(file: string): Promise<void> {
  // DuckDB keeps uncheckpointed changes in `<file>.wal`; a stale one would be replayed on open.
  await rm(file, { force: true });
  await rm(`${file}.wal`, { force: true });
}

async function countRows(connection: DuckDBConnection, table: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${table}"`);
  const n = reader.getRowObjects()[0]?.['n'];
  if (typeof n !== 'number') throw new Error(`count(*) of ${table} returned ${String(n)}`);
  return n;
}

export async function buildDatabase(fileArg: string, tables: InventoryTables): Promise<BuildDatabaseResult> {
  const file = path.resolve(fileArg);
  const tmp = `${file}.tmp`;
  await mkdir(path.dirname(file), { recursive: true });
  await removeDatabaseFiles(tmp);
  const rowCounts = {} as Record<TableName, number>;
  const instance = await DuckDBInstance.create(tmp);
  let connection: DuckDBConnection | undefined;
  try {
    const conn = await instance.connect();
    connection = conn;
    await forEachTable(tables, async (spec, rows) => {
      await conn.run(createTableSql(spec));
      const appender = await conn.createAppender(spec.name);
      appendRows(appender, spec.columns, rows);
      appender.closeSync();
    });
    await conn.run('CHECKPOINT');
    for (const table of TABLE_NAMES) rowCounts[table] = await countRows(conn, table);
  } catch (err) {
    connection?.closeSync();
    instance.closeSync();
    await removeDatabaseFiles(tmp);
    throw err;
  }
  connection.closeSync();
  instance.closeSync();
  await rm(`${file}.wal`, { force: true });
  await rename(tmp, file);
  await rm(`${tmp}.wal`, { force: true });
  return { file, rowCounts, bytes: (await stat(file)).size };
}
