import { Client } from 'pg';
import type { IngestColumnType, IngestTarget, IngestWriterOptions } from '../../ingest-writer.js';
import { STATE_TABLE, ServerIngestWriter, type IngestSql } from '../../server-ingest-writer.js';

const quote = (id: string) => `"${id.replace(/"/g, '""')}"`;

const DDL: Record<IngestColumnType, string> = {
  VARCHAR: 'text',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  DOUBLE: 'double precision',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
};

/** PostgreSQL's flavour of the shared server ingest writer (server-ingest-writer.ts). */
export const postgresIngestSql: IngestSql = {
  quote,
  placeholder: (n) => `$${n}`,
  ddlType: (type) => DDL[type],
  storedAs: (type) =>
    type === 'VARCHAR'
      ? ['text', 'character varying']
      : type === 'TIMESTAMP'
        ? ['timestamp without time zone']
        : [DDL[type]],
  columnsSql:
    'SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
  asText: (expression) => `(${expression})::text`,
  stateTableSql: `CREATE TABLE IF NOT EXISTS ${quote(STATE_TABLE)} (state_key text NOT NULL, state text NOT NULL, updated_at timestamp NOT NULL, PRIMARY KEY (state_key))`,
  putStateSql: `INSERT INTO ${quote(STATE_TABLE)} (state_key, state, updated_at) VALUES ($1, $2, now()) ON CONFLICT (state_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
};

/** One pg connection in UTC (timestamps read the same whatever the server's zone); values always bound. */
export const PostgresIngestWriter = {
  async open(
    options: IngestWriterOptions & { readonly target: Extract<IngestTarget, { kind: 'postgres' }> },
  ): Promise<ServerIngestWriter> {
    const client = new Client({ connectionString: options.target.url, application_name: 'trellis-ingest' });
    // A connection that breaks while idle emits 'error'; unheard, that would end the process. The
    // next statement then fails with the reason.
    client.on('error', () => undefined);
    await client.connect();
    const conn = {
      async query(sql: string, params: readonly unknown[] = []) {
        const r = await client.query({ text: sql, values: [...params] });
        return r.rows as Record<string, unknown>[];
      },
      close: () => client.end(),
    };
    try {
      await conn.query("SELECT set_config('TimeZone', 'UTC', false)");
    } catch (err) {
      await client.end();
      throw err;
    }
    return ServerIngestWriter.open(conn, postgresIngestSql, options);
  },
};
