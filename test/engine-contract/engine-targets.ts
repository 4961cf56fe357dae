import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SourceConfig } from '../../server/config/project/project.schema.js';
import type { Engine } from '../../server/query/engine.js';
import { openEngine } from '../../server/query/engines/index.js';
import {
  canaryCountMySQL,
  canaryCountPostgres,
  dropMySQL,
  dropPostgres,
  fixtureTables,
  loadDuckDB,
  loadMySQL,
  loadPostgres,
  mysqlStatementsWith,
  postgresSessionsWith,
  type FixtureTables,
} from '../engine-fixture.js';

/**
 * One engine under the contract suite: the fixture loaded into it, and what the shared behavioural
 * tests need to know about it. Engines are opened through the registry (openEngine), as a project's
 * sources are.
 */
export interface EngineTarget {
  readonly name: 'duckdb' | 'postgres' | 'mysql';
  readonly tables: FixtureTables;
  /** Statements run on a server (visible in its activity views), not in this process. */
  readonly serverSide: boolean;
  /** A statement that runs for many seconds unless stopped; `marker` makes it findable on the server. */
  slowSql(marker: string): string;
  /** Parameters the slow statement needs (none, or MySQL's BENCHMARK argument). */
  readonly slowParams: readonly string[];
  /** A statement that takes about 300 ms, for queue-order tests. */
  readonly pauseSql: string;
  open(pool?: { size?: number; queue?: number; acquire_timeout?: string }): Promise<Engine>;
  /** Opens the same kind of source where nothing answers; must reject SOURCE_UNAVAILABLE. */
  openUnreachable(): Promise<Engine>;
  /** Statements (or sessions) whose text contains `marker` still known to the server; DuckDB: none. */
  statementsWith(marker: string): Promise<number>;
  /** Rows of the canary table, counted by an independent connection. */
  canaryCount(): Promise<number>;
  teardown(): Promise<void>;
}

const prefix = () => `trellis_ct_${process.pid}_${Math.random().toString(36).slice(2, 8)}_`;

export async function duckdbTarget(): Promise<EngineTarget> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-contract-'));
  const tables = fixtureTables(prefix());
  await loadDuckDB(path.join(dir, 'contract.duckdb'), tables);
  const source = (
    pool: { size?: number; queue?: number } = {},
  ): Extract<SourceConfig, { type: 'duckdb' }> => ({
    type: 'duckdb',
    path: 'contract.duckdb',
    allowed_directories: [],
    pool: { size: pool.size ?? 4, queue: pool.queue ?? 50 },
  });
  let counter: Engine | undefined;
  return {
    name: 'duckdb',
    tables,
    serverSide: false,
    slowSql: (marker) => `SELECT count(*) AS "${marker}" FROM range(100000000000) a`,
    slowParams: [],
    pauseSql: 'SELECT count(*) FROM range(60000000) a',
    open: (pool) => openEngine(source(pool), dir, {}),
    openUnreachable: () => openEngine({ ...source(), path: 'missing.duckdb' }, dir, {}),
    statementsWith: async () => 0,
    async canaryCount() {
      counter ??= await openEngine(source({ size: 1 }), dir, {});
      const r = await counter.run(
        { sql: `SELECT count(*) FROM ${tables.canary}`, params: [] },
        { timeoutMs: 5_000, maxRows: 1, maxBytes: 1_000 },
      );
      return Number(r.rows[0]?.[0]);
    },
    async teardown() {
      await counter?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function serverSource(
  type: 'postgres' | 'mysql',
  pool: { size?: number; queue?: number; acquire_timeout?: string } = {},
): SourceConfig {
  return {
    type,
    url_env: 'TRELLIS_CONTRACT_URL',
    pool: {
      size: pool.size ?? 4,
      queue: pool.queue ?? 50,
      acquire_timeout: pool.acquire_timeout ?? '5s',
      idle_timeout: '30s',
    },
  };
}

/** The same URL with port 1, where nothing listens: connecting is refused at once. */
function portOne(url: string): string {
  const u = new URL(url);
  u.port = '1';
  return u.toString();
}

export async function postgresTarget(url: string): Promise<EngineTarget> {
  const tables = fixtureTables(prefix());
  await loadPostgres(url, tables);
  const env = { TRELLIS_CONTRACT_URL: url };
  return {
    name: 'postgres',
    tables,
    serverSide: true,
    slowSql: (marker) => `SELECT /* ${marker} */ pg_sleep(30)`,
    slowParams: [],
    pauseSql: 'SELECT pg_sleep(0.3)',
    open: (pool) => openEngine(serverSource('postgres', pool), '.', env),
    openUnreachable: () => openEngine(serverSource('postgres'), '.', { TRELLIS_CONTRACT_URL: portOne(url) }),
    statementsWith: (marker) => postgresSessionsWith(url, marker),
    canaryCount: () => canaryCountPostgres(url, tables),
    teardown: () => dropPostgres(url, tables),
  };
}

export async function mysqlTarget(url: string): Promise<EngineTarget> {
  const tables = fixtureTables(prefix());
  await loadMySQL(url, tables);
  const env = { TRELLIS_CONTRACT_URL: url };
  return {
    name: 'mysql',
    tables,
    serverSide: true,
    // BENCHMARK stops when killed (and, like SLEEP, then returns quietly: the engine's own flag decides).
    slowSql: (marker) => `SELECT /* ${marker} */ BENCHMARK(100000000000, MD5(?))`,
    slowParams: ['x'],
    pauseSql: 'SELECT SLEEP(0.3)',
    open: (pool) => openEngine(serverSource('mysql', pool), '.', env),
    openUnreachable: () => openEngine(serverSource('mysql'), '.', { TRELLIS_CONTRACT_URL: portOne(url) }),
    statementsWith: (marker) => mysqlStatementsWith(url, marker),
    canaryCount: () => canaryCountMySQL(url, tables),
    teardown: () => dropMySQL(url, tables),
  };
}
