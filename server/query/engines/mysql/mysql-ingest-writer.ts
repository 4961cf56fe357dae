import mysql from 'mysql2/promise';
import type { IngestCell, IngestColumnType, IngestTarget, IngestWriterOptions } from '../../ingest-writer.js';
import { STATE_TABLE, ServerIngestWriter, type IngestSql } from '../../server-ingest-writer.js';

const quote = (id: string) => `\`${id.replace(/`/g, '``')}\``;

const DDL: Record<IngestColumnType, string> = {
  VARCHAR: 'TEXT',
  INTEGER: 'INT',
  BIGINT: 'BIGINT',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'DATETIME(6)',
};

const STORED: Record<IngestColumnType, readonly string[]> = {
  VARCHAR: ['text', 'mediumtext', 'longtext', 'varchar', 'char'],
  INTEGER: ['int'],
  BIGINT: ['bigint'],
  DOUBLE: ['double'],
  BOOLEAN: ['tinyint'],
  DATE: ['date'],
  TIMESTAMP: ['datetime'],
};

/** MySQL/MariaDB's flavour of the shared server ingest writer (server-ingest-writer.ts). */
export const mysqlIngestSql: IngestSql = {
  quote,
  placeholder: () => '?',
  ddlType: (type) => DDL[type],
  storedAs: (type) => STORED[type],
  columnsSql:
    'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?',
  asText: (expression) => `CAST(${expression} AS CHAR)`,
  stateTableSql: `CREATE TABLE IF NOT EXISTS ${quote(STATE_TABLE)} (state_key VARCHAR(255) NOT NULL, state LONGTEXT NOT NULL, updated_at DATETIME(6) NOT NULL, PRIMARY KEY (state_key))`,
  putStateSql: `INSERT INTO ${quote(STATE_TABLE)} (state_key, state, updated_at) VALUES (?, ?, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE state = VALUES(state), updated_at = VALUES(updated_at)`,
};

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
