import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TRIM_FREED_MEMORY } from './duckdb-scratch.js';
import type { RowsFileReader, VersionCell, VersionedTable } from '../../version-writer.js';

/**
 * Reads an upload's rows file (Parquet, written by the check with the declared columns, typed) for
 * an import into a database server: a private in-memory DuckDB (file access locked to `readDir`)
 * streams it chunk by chunk, and rows are handed over in batches — the next chunk is fetched only
 * when the consumer asks, so memory holds about one batch whatever the file's size.
 *
 * Values leave as the servers' drivers and COPY take them: DATE as 'YYYY-MM-DD', TIMESTAMP as
 * 'YYYY-MM-DD HH:MM:SS.ffffff', BIGINT as text (exact beyond 2^53), the rest as JS values.
 */
const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

function selectOf(column: VersionedTable['columns'][number]): string {
  const c = q(column.name);
  switch (column.type) {
    case 'DATE':
      return `strftime(${c}, '%Y-%m-%d')`;
    case 'TIMESTAMP':
      return `strftime(${c}, '%Y-%m-%d %H:%M:%S.%f')`;
    case 'BIGINT':
      return `CAST(${c} AS VARCHAR)`;
    default:
      return c;
  }
}

export function duckdbRowsFileReader(readDir: string, memoryLimit: string, threads: number): RowsFileReader {
  return (rowsFile, columns, batchRows) => ({
    async *[Symbol.asyncIterator]() {
      const instance = await DuckDBInstance.create(':memory:', {
        memory_limit: memoryLimit,
        threads: String(threads),
        ...TRIM_FREED_MEMORY,
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        allow_community_extensions: 'false',
      });
      const conn = await instance.connect();
      try {
        await conn.run(`SET allowed_directories = [${literal(path.resolve(readDir) + path.sep)}]`);
        await conn.run('SET enable_external_access = false');
        await conn.run('SET lock_configuration = true');
        const result = await conn.stream(`SELECT ${columns.map(selectOf).join(', ')} FROM read_parquet($1)`, [
          rowsFile,
        ]);
        let batch: VersionCell[][] = [];
        for await (const rows of result.yieldRowsJs()) {
          for (const row of rows) {
            batch.push(row.map(cellOf));
            if (batch.length >= batchRows) {
              yield batch;
              batch = [];
            }
          }
        }
        if (batch.length > 0) yield batch;
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    },
  });
}

function cellOf(value: unknown): VersionCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}
