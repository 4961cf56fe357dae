import mysql from 'mysql2/promise';
import type { IngestCell, IngestTarget, IngestWriterOptions } from '../../ingest-writer.js';
import { ServerIngestWriter } from '../../server-ingest-writer.js';
import { mysqlIngestSql } from './mysql-dialect.js';

/**
 * One mysql2 connection in UTC. Statements with values are server-side prepared (values truly bound);
 * transaction control and DDL, which take none, go over the text protocol (not every server
 * version prepares them).
 */
export const MySQLIngestWriter = {
  async open(
    options: IngestWriterOptions & { readonly target: Extract<IngestTarget, { kind: 'mysql' }> },
  ): Promise<ServerIngestWriter> {
    const connection = await mysql.createConnection({
      uri: options.target.url.replace(/^mariadb:/, 'mysql:'),
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: 'utf8mb4',
      multipleStatements: false,
    });
    // A connection that breaks while idle emits 'error'; the next statement fails with the reason.
    connection.on('error', () => undefined);
    const conn = {
      async query(sql: string, params: readonly IngestCell[] = []) {
        const [rows] = params.length
          ? await connection.execute(sql, [...params])
          : await connection.query(sql);
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      },
      close: () => connection.end(),
    };
    try {
      await conn.query("SET time_zone = '+00:00'");
    } catch (err) {
      await connection.end();
      throw err;
    }
    return ServerIngestWriter.open(conn, mysqlIngestSql, options);
  },
};
