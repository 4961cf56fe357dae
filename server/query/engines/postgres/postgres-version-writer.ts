import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  ServerVersionWriter,
  sourceUnreachable,
  type VersionConnection,
  type VersionFlavour,
} from '../server-version-writer.js';
import type { RowsFileReader, VersionCell, VersionedTable } from '../../version-writer.js';
import { postgresDdlType, postgresDialect, postgresStoredAs } from './postgres-dialect.js';

const quote = postgresDialect.quoteIdentifier;

/** PostgreSQL's statements of the shared upload version writer (server-version-writer.ts). */
export const postgresVersionFlavour: VersionFlavour = {
  quote,
  placeholder: (n) => `$${n}`,
  intParam: (n) => `$${n}::integer`,
  // standard_conforming_strings is on by default since 9.1: only the quote is special.
  literal: (value) => `'${value.replace(/'/g, "''")}'`,
  ddlType: postgresDdlType,
  storedAs: postgresStoredAs,
  columnsOf:
    'SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
  relationKind:
    'SELECT table_type::text AS kind FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1',
  keyText: 'text',
  createStorage: (storage, columns, index) => [
    `CREATE TABLE ${storage} (${columns.join(', ')})`,
    `CREATE INDEX IF NOT EXISTS ${index} ON ${storage} (${columns
      .slice(-2)
      .map((c) => c.slice(0, c.lastIndexOf(' ')))
      .join(', ')})`,
  ],
  // DDL is transactional here: readers see the old view or the new one.
  defineView: (view, select) => [
    'BEGIN',
    `DROP VIEW IF EXISTS ${view}`,
    `CREATE VIEW ${view} AS ${select}`,
    'COMMIT',
  ],
  begin: 'BEGIN',
};

/** Rows per COPY chunk handed to the socket: large enough to amortise, small in memory. */
const COPY_BATCH_ROWS = 4_096;

/**
 * One pg connection in UTC; rows go in by `COPY … FROM STDIN` (text format) inside the session's
 * transaction, written as the rows file is read — back-pressure from the socket pauses the reader.
 */
export async function openPostgresVersionWriter(
  url: string,
  spec: VersionedTable,
  readRows: RowsFileReader,
): Promise<ServerVersionWriter> {
  // A server that does not answer fails within 10 s, not the OS's minutes (URL parameters take precedence).
  const client = new Client({
    connectionString: url,
    application_name: 'trellis-upload',
    connectionTimeoutMillis: 10_000,
  });
  // A connection that breaks while idle emits 'error'; unheard, that would end the process. The
  // next statement then fails with the reason.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw sourceUnreachable('PostgreSQL', err);
  }
  const conn: VersionConnection = {
    async query(sql, params = []) {
      const r = await client.query({ text: sql, values: [...params] });
      return r.rows as Record<string, unknown>[];
    },
    async bulkLoad(table, columns, batches, tail) {
      let rows = 0;
      const copy = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      const end = `${tail.map((v) => `\t${copyValue(v)}`).join('')}\n`;
      async function* text() {
        for await (const batch of batches) {
          rows += batch.length;
          let chunk = '';
          for (const row of batch) chunk += row.map(copyValue).join('\t') + end;
          yield chunk;
        }
      }
      await pipeline(Readable.from(text()), copy);
      return rows;
    },
    batchRows: () => COPY_BATCH_ROWS,
    close: () => client.end(),
  };
  try {
    await conn.query("SELECT set_config('TimeZone', 'UTC', false)");
  } catch (err) {
    await client.end();
    throw err;
  }
  return ServerVersionWriter.open(conn, postgresVersionFlavour, spec, readRows);
}

/** One value in COPY's text format (tab-separated columns): `\N` for NULL, backslash escapes. */
function copyValue(value: VersionCell): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}
