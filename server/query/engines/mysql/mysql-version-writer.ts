import mysql from 'mysql2/promise';
import {
  ServerVersionWriter,
  sourceUnreachable,
  type VersionConnection,
  type VersionFlavour,
} from '../server-version-writer.js';
import type { RowsFileReader, VersionCell, VersionedTable } from '../../version-writer.js';
import { mysqlDdlType, mysqlDialect, mysqlStoredAs } from './mysql-dialect.js';

const quote = mysqlDialect.quoteIdentifier;

/** MySQL/MariaDB's statements of the shared upload version writer (server-version-writer.ts). */
export const mysqlVersionFlavour: VersionFlavour = {
  quote,
  placeholder: () => '?',
  intParam: () => '?',
  // The only literal is a validated target id (a file name: no quotes, no backslashes); escaped anyway.
  literal: (value) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
  // MEDIUMTEXT, not TEXT: a cell may hold up to limits.cell_bytes (64 KB by default), past TEXT's 65,535 bytes.
  ddlType: (type) => (type === 'VARCHAR' ? 'MEDIUMTEXT' : mysqlDdlType(type)),
  storedAs: mysqlStoredAs,
  columnsOf:
    'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position',
  relationKind:
    'SELECT table_type AS kind FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
  keyText: 'VARCHAR(255)',
  // Binary collation: keys and filters compare exactly, as on DuckDB and PostgreSQL ('abc' ≠ 'ABC').
  createStorage: (storage, columns, index) => [
    `CREATE TABLE ${storage} (${columns.join(', ')}, INDEX ${index} (${columns
      .slice(-2)
      .map((c) => c.slice(0, c.lastIndexOf(' ')))
      .join(', ')})) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  ],
  // CREATE OR REPLACE VIEW is one atomic statement (DDL commits implicitly here anyway).
  defineView: (view, select) => [`CREATE OR REPLACE VIEW ${view} AS ${select}`],
  begin: 'START TRANSACTION',
};

/** Bound values per INSERT: far below the protocol's 65,535. */
const MAX_PARAMS = 10_000;

/**
 * One mysql2 connection in UTC. Rows go in by multi-row INSERTs of bound values (server-side
 * prepared, one statement text for every full batch) inside the session's transaction.
 */
export async function openMySQLVersionWriter(
  url: string,
  spec: VersionedTable,
  readRows: RowsFileReader,
): Promise<ServerVersionWriter> {
  const connection = await mysql
    .createConnection({
      uri: url.replace(/^mariadb:/, 'mysql:'),
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: 'utf8mb4',
      multipleStatements: false,
      connectTimeout: 10_000,
    })
    .catch((err: unknown) => {
      throw sourceUnreachable('MySQL', err);
    });
  // A connection that breaks while idle emits 'error'; the next statement fails with the reason.
  connection.on('error', () => undefined);
  const conn: VersionConnection = {
    async query(sql, params = []) {
      const [rows] = params.length ? await connection.execute(sql, [...params]) : await connection.query(sql);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    async bulkLoad(table, columns, batches, tail) {
      // `table` and `columns` arrive quoted. Full batches share one statement text (one prepared statement).
      let rows = 0;
      for await (const batch of batches) {
        if (batch.length === 0) continue;
        const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rowsPlaceholders(batch.length, columns.length)}`;
        const values: VersionCell[] = [];
        for (const row of batch) values.push(...row, ...tail);
        await connection.execute(sql, values);
        rows += batch.length;
      }
      return rows;
    },
    batchRows: (width) => Math.max(1, Math.floor(MAX_PARAMS / width)),
    close: () => connection.end(),
  };
  try {
    await conn.query("SET time_zone = '+00:00'");
  } catch (err) {
    await connection.end();
    throw err;
  }
  return ServerVersionWriter.open(conn, mysqlVersionFlavour, spec, readRows);
}

function rowsPlaceholders(rows: number, width: number): string {
  const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => tuple).join(', ');
}
