import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createEventsSql, GENERATOR_VERSION } from './events-sql.js';

export const DEFAULT_SEED = 20_260_601;

export interface BuildEventsOptions {
  readonly file: string;
  readonly rows: number;
  readonly seed?: number;
}

export interface BuiltEvents {
  readonly file: string;
  readonly rows: number;
  readonly seconds: number;
  readonly bytes: number;
  /** False when an up-to-date file was already there. */
  readonly built: boolean;
}

/**
 * Writes the `events` table to a DuckDB file, or keeps the existing file when its stamp says it was
 * built with the same generator version, row count and seed (100 M rows take minutes to build).
 * The file appears atomically: built as `<file>.tmp`, renamed when complete.
 */
export async function buildEvents(options: BuildEventsOptions): Promise<BuiltEvents> {
  const seed = options.seed ?? DEFAULT_SEED;
  const stampFile = `${options.file}.stamp`;
  const stamp = JSON.stringify({ version: GENERATOR_VERSION, rows: options.rows, seed });
  if (existsSync(options.file) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    return {
      file: options.file,
      rows: options.rows,
      seconds: 0,
      bytes: (await stat(options.file)).size,
      built: false,
    };
  }
  const started = performance.now();
  await mkdir(path.dirname(options.file), { recursive: true });
  const tmp = `${options.file}.tmp`;
  await rm(tmp, { force: true });
  await rm(`${tmp}.wal`, { force: true });
  const instance = await DuckDBInstance.create(tmp);
  try {
    const conn = await instance.connect();
    try {
      await conn.run(createEventsSql(options.rows, seed));
      await conn.run(
        `CREATE OR REPLACE TABLE bench_meta AS SELECT ${options.rows}::BIGINT AS rows, ${seed}::BIGINT AS seed, ${GENERATOR_VERSION} AS version`,
      );
      await conn.run('CHECKPOINT');
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
  await rm(options.file, { force: true });
  await rm(`${options.file}.wal`, { force: true });
  await rename(tmp, options.file);
  writeFileSync(stampFile, stamp);
  return {
    file: options.file,
    rows: options.rows,
    seconds: (performance.now() - started) / 1000,
    bytes: (await stat(options.file)).size,
    built: true,
  };
}
