import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { openVersionWriter } from '../../server/query/engines/index.js';
import type { VersionTarget, VersionedTable } from '../../server/query/version-writer.js';
import type { BenchOptions } from '../lib/options.js';
import { rowLabel } from '../lib/options.js';
import { verdictAtMost, type ScenarioResult } from '../lib/report.js';
import { round } from '../lib/stats.js';

const PG_URL = process.env.TRELLIS_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_URL = process.env.TRELLIS_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';
/** The bound for what an upload adds to the server's memory. */
const RSS_GOAL_MB = 64;

const SPEC: VersionedTable = {
  target: 'bench_targets',
  table: 'bench_targets',
  tenantColumn: 'org',
  key: ['sponsor'],
  columns: [
    { name: 'sponsor', type: 'VARCHAR' },
    { name: 'target', type: 'INTEGER' },
    { name: 'phase', type: 'VARCHAR' },
    { name: 'code', type: 'VARCHAR' },
    { name: 'starts', type: 'DATE' },
  ],
};

/**
 * Upload imports into each target engine (docs/uploads.md, Targets): the typed rows file an upload's
 * check writes (Parquet, 5 declared columns like the `uploads` scenario) imported as a new version —
 * DuckDB (its own read_parquet into a copy of the served file), PostgreSQL (COPY FROM STDIN), MariaDB
 * (multi-row INSERTs) — each session committed. Timed per engine, with this process's RSS sampled
 * every 20 ms: the rows stream in batches, so what the import adds to memory must stay bounded
 * whatever the row count.
 */
export async function uploadTargets(options: BenchOptions): Promise<ScenarioResult> {
  const rows = Math.min(options.rows, 1_000_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-upload-targets-'));
  const run = `${process.pid}_${Date.now().toString(36)}`;
  try {
    const rowsFile = path.join(dir, 'rows.parquet');
    await writeRowsFile(rowsFile, rows);
    const access = { readDir: dir, memoryLimit: '128MB', threads: 1 } as const;
    const served = path.join(dir, 'served.duckdb');
    await (await DuckDBInstance.create(served)).closeSync();

    const schema = `trellis_bench_${run}`;
    const pgAdmin = async (sql: string) => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    const myAdmin = async (sql: string) => {
      const c = await mysql.createConnection({ uri: MYSQL_URL });
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    const pgUrl = new URL(PG_URL);
    pgUrl.searchParams.set('options', `-c search_path=${schema}`);
    const myUrl = new URL(MYSQL_URL);
    myUrl.pathname = `/${schema}`;

    const engines: {
      name: string;
      target: VersionTarget;
      setUp(): Promise<void>;
      tearDown(): Promise<void>;
    }[] = [
      {
        name: 'duckdb',
        target: { kind: 'duckdb', servedFile: served, ...access },
        setUp: async () => undefined,
        tearDown: async () => undefined,
      },
      {
        name: 'postgres',
        target: { kind: 'postgres', url: pgUrl.toString(), ...access },
        setUp: () => pgAdmin(`CREATE SCHEMA "${schema}"`),
        tearDown: () => pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
      },
      {
        name: 'mysql',
        target: { kind: 'mysql', url: myUrl.toString(), ...access },
        setUp: () => myAdmin(`CREATE DATABASE \`${schema}\``),
        tearDown: () => myAdmin(`DROP DATABASE IF EXISTS \`${schema}\``),
      },
    ];

    const results: Record<string, { seconds: number; rowsPerSecond: number; peakAddedMb: number }> = {};
    for (const engine of engines) {
      await engine.setUp();
      try {
        global.gc?.();
        const base = process.memoryUsage().rss;
        let peak = base;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
        const t0 = performance.now();
        const writer = await openVersionWriter(engine.target, SPEC);
        try {
          const n = await writer.importVersion('bench', 1, 'replace', rowsFile);
          if (n !== rows) throw new Error(`${engine.name}: imported ${n} rows, expected ${rows}`);
          await writer.publish();
        } finally {
          await writer.close();
          clearInterval(sampler);
        }
        const seconds = (performance.now() - t0) / 1000;
        results[engine.name] = {
          seconds: round(seconds, 2),
          rowsPerSecond: Math.round(rows / seconds),
          peakAddedMb: round((peak - base) / 1024 ** 2, 1),
        };
      } finally {
        await engine.tearDown();
      }
    }
    const worstMb = Math.max(...Object.values(results).map((r) => r.peakAddedMb));
    const pgRatio = (results.postgres?.seconds ?? 0) / (results.duckdb?.seconds ?? 1);
    return {
      scenario: 'upload-targets',
      measured:
        Object.entries(results)
          .map(([name, r]) => `${name} ${r.seconds} s (+${r.peakAddedMb} MB)`)
          .join(', ') + ` for ${rowLabel(rows)} rows`,
      goal: `peak added RSS ≤ ${RSS_GOAL_MB} MB on every engine`,
      anchor: 'the DuckDB import of the same rows file (read_parquet in one statement)',
      ratio: pgRatio,
      verdict: verdictAtMost(worstMb, RSS_GOAL_MB),
      details: { rows, results },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function writeRowsFile(file: string, rows: number): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(
      `COPY (SELECT 'sponsor ' || i AS sponsor, CAST(i % 100000 AS INTEGER) AS target,
                    ['PHASE1', 'PHASE2', 'PHASE3'][1 + i % 3] AS phase, 'ABC' AS code,
                    DATE '2000-01-01' + CAST(i % 9000 AS INTEGER) AS starts
             FROM range(${rows}) AS t(i)) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
