import { Client } from 'pg';
import type { IngestTarget, IngestWriterOptions } from '../../ingest-writer.js';
import { ServerIngestWriter } from '../../server-ingest-writer.js';
import { postgresIngestSql } from './postgres-dialect.js';

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
