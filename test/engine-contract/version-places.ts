import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { SourceConfig } from '../../server/config/project/project.schema.js';
import type { Engine } from '../../server/query/engine.js';
import { openEngine } from '../../server/query/engines/index.js';
import type { VersionTarget } from '../../server/query/version-writer.js';

/**
 * Where the version-writer contract (server/query/engines/contract/version-writer-contract.test.ts)
 * puts its versioned tables: a fresh DuckDB file, a fresh PostgreSQL schema, a fresh MariaDB
 * database — each unique per run and removed by `teardown` — and a reader through the Engine seam.
 */
export interface VersionPlace {
  /** The session target; `readDir` is where the test writes its rows files. */
  target(readDir: string): VersionTarget;
  /** A fresh reader through the Engine seam (a DuckDB file is reopened after each publish). */
  reader(): Promise<Engine>;
  /** Runs set-up SQL outside the writer (double-quoted identifiers; MySQL gets backticks). */
  raw(sql: string): Promise<void>;
  /** A URL / source environment for an app using this place as a project source. */
  readonly sourceEnv: Readonly<Record<string, string>>;
  teardown(): Promise<void>;
}

const ACCESS = { memoryLimit: '128MB', threads: 1 } as const;
export const VERSION_PLACE_ENV = 'TRELLIS_VERSION_CONTRACT_URL';

const serverSource = (type: 'postgres' | 'mysql'): SourceConfig => ({
  type,
  url_env: VERSION_PLACE_ENV,
  pool: { size: 1, queue: 5, acquire_timeout: '5s', idle_timeout: '30s' },
});

export async function duckdbVersionPlace(): Promise<VersionPlace> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-version-contract-'));
  const served = path.join(dir, 'served.duckdb');
  const run = async (sql: string) => {
    const instance = await DuckDBInstance.create(served);
    const conn = await instance.connect();
    try {
      await conn.run(sql);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  };
  await run('SELECT 1'); // the served file exists before the first session copies it
  const source: SourceConfig = {
    type: 'duckdb',
    path: 'served.duckdb',
    allowed_directories: [],
    pool: { size: 1, queue: 5 },
  };
  return {
    target: (readDir) => ({ kind: 'duckdb', servedFile: served, readDir, ...ACCESS }),
    reader: () => openEngine(source, dir, {}),
    raw: run,
    sourceEnv: {},
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A schema of its own, named by `id`; the URL sets it as the search_path, so the writer's current_schema() is it. */
export async function postgresVersionPlace(baseUrl: string, id: string): Promise<VersionPlace> {
  const schema = `trellis_vw_${id}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA "${schema}"`);
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const url = u.toString();
  const sourceEnv = { [VERSION_PLACE_ENV]: url };
  return {
    target: (readDir) => ({ kind: 'postgres', url, readDir, ...ACCESS }),
    reader: () => openEngine(serverSource('postgres'), '.', sourceEnv),
    raw: (sql) => admin(`SET search_path = "${schema}"; ${sql}`),
    sourceEnv,
    teardown: () => admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  };
}

/** A database of its own, named by `id` (the test server's root may create one). */
export async function mysqlVersionPlace(baseUrl: string, id: string): Promise<VersionPlace> {
  const database = `trellis_vw_${id}`;
  const admin = async (sql: string, db?: string) => {
    const conn = await mysql.createConnection({ uri: baseUrl, ...(db ? { database: db } : {}) });
    try {
      await conn.query(sql);
    } finally {
      await conn.end();
    }
  };
  await admin(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  const u = new URL(baseUrl);
  u.pathname = `/${database}`;
  const url = u.toString();
  const sourceEnv = { [VERSION_PLACE_ENV]: url };
  return {
    target: (readDir) => ({ kind: 'mysql', url, readDir, ...ACCESS }),
    reader: () => openEngine(serverSource('mysql'), '.', sourceEnv),
    raw: (sql) => admin(sql.replace(/"/g, '`'), database),
    sourceEnv,
    teardown: () => admin(`DROP DATABASE IF EXISTS \`${database}\``),
  };
}
