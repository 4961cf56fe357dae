import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';

/** A CSV or Parquet file (or glob of them) to become one table. */
export interface FileTable {
  /** A plain identifier (checked by the caller: it is quoted, but comes from a file name). */
  readonly name: string;
  /** Absolute path or glob. */
  readonly path: string;
  readonly format: 'csv' | 'parquet';
}

/**
 * `trellis init --from <folder>`: reads CSV/Parquet files into tables of a new DuckDB file, the
 * project's source from then on (opened read-only like any other). Written to `<target>.tmp` and
 * renamed, so a failed import leaves no half-written database behind. Paths are bound as
 * parameters; names are quoted identifiers.
 */
export async function importFilesIntoDuckDB(target: string, tables: readonly FileTable[]): Promise<void> {
  if (existsSync(target)) throw new Error(`${target} exists already`);
  const temp = `${target}.tmp`;
  await rm(temp, { force: true });
  const instance = await DuckDBInstance.create(temp, {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  try {
    for (const t of tables) {
      const reader = t.format === 'csv' ? 'read_csv($1, auto_detect = true)' : 'read_parquet($1)';
      const name = `"${t.name.replace(/"/g, '""')}"`;
      await conn.run(`CREATE TABLE ${name} AS SELECT * FROM ${reader}`, [t.path]);
    }
    await conn.run('CHECKPOINT');
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    await rm(temp, { force: true });
    throw err;
  }
  conn.closeSync();
  instance.closeSync();
  await rename(temp, target);
}
