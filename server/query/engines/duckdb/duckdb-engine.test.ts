import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMiniProject, MINI_ITEMS, type MiniProject } from '../../../../test/mini-project.js';
import { TrellisError } from '../../../errors.js';
import type { Engine, RunOptions } from '../../engine.js';
import { duckdbSettings } from './duckdb-config.js';
import { DuckDBEngine } from './duckdb-engine.js';
import { openDuckDB } from './index.js';
import { outcome as code } from '../../../../test/outcome.js';

const limits: RunOptions = { timeoutMs: 5_000, maxRows: 10_000, maxBytes: 10_000_000 };
const SLOW = 'SELECT count(*) FROM range(100000000000) a';

describe('DuckDB engine', () => {
  let mini: MiniProject;
  let engine: Engine;

  beforeAll(async () => {
    mini = await createMiniProject();
    engine = await DuckDBEngine.open(
      duckdbSettings(
        {
          type: 'duckdb',
          path: 'data/mini.duckdb',
          allowed_directories: ['data'],
          pool: { size: 2, queue: 3 },
        },
        mini.dir,
      ),
    );
  });
  afterAll(async () => engine?.close());

  test('runs bound queries and converts 64-bit integers, decimals, dates and timestamps', async () => {
    const r = await engine.run(
      {
        sql: 'SELECT count(*) AS n, sum(price) AS s, min(created) AS d, min(updated_at) AS ts FROM items WHERE id >= $1',
        params: [0],
      },
      limits,
    );
    expect(r.columns).toEqual(['n', 's', 'd', 'ts']);
    expect(r.rows).toEqual([[MINI_ITEMS, expect.any(Number), '2020-01-01', '2020-01-01T00:00:00']]);
  });

  test('reads files only inside the allowed folder, on every pooled connection', async () => {
    const allowed = path.join(mini.dir, 'data', 'allowed.csv');
    for (let i = 0; i < 4; i++) {
      // Concurrent runs land on different connections of the pool.
      const results = await Promise.all([
        engine.run({ sql: 'SELECT * FROM read_csv($1)', params: [allowed] }, limits),
        code(engine.run({ sql: "SELECT * FROM read_csv('/etc/passwd')", params: [] }, limits)),
        code(engine.run({ sql: 'SELECT * FROM read_text($1)', params: [path.join(mini.dir, '..')] }, limits)),
      ]);
      expect(results[0].rows).toEqual([[1, 2]]);
      expect(results[1]).toBe('QUERY_FAILED');
      expect(results[2]).toBe('QUERY_FAILED');
    }
  });

  test('configuration is locked: SQL cannot re-open file access or load extensions', async () => {
    expect(await code(engine.run({ sql: 'SET enable_external_access = true', params: [] }, limits))).toBe(
      'QUERY_FAILED',
    );
    expect(await code(engine.run({ sql: "SET allowed_directories = ['/']", params: [] }, limits))).toBe(
      'QUERY_FAILED',
    );
    expect(await code(engine.run({ sql: 'INSTALL httpfs', params: [] }, limits))).toBe('QUERY_FAILED');
    expect(await code(engine.run({ sql: "ATTACH '/tmp/x.duckdb' AS x", params: [] }, limits))).toBe(
      'QUERY_FAILED',
    );
  });

  test('the database is read-only', async () => {
    expect(await code(engine.run({ sql: 'DELETE FROM canary', params: [] }, limits))).toBe('QUERY_FAILED');
    const r = await engine.run({ sql: 'SELECT count(*) FROM canary', params: [] }, limits);
    expect(r.rows).toEqual([[mini.canaryCount]]);
  });

  test('a statement past its timeout is interrupted and reported as QUERY_TIMEOUT; the connection stays usable', async () => {
    const started = Date.now();
    expect(await code(engine.run({ sql: SLOW, params: [] }, { ...limits, timeoutMs: 200 }))).toBe(
      'QUERY_TIMEOUT',
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    for (let i = 0; i < 3; i++)
      expect((await engine.run({ sql: 'SELECT 42', params: [] }, limits)).rows).toEqual([[42]]);
  });

  test('aborting the signal (client went away) interrupts the statement: QUERY_CANCELLED', async () => {
    const controller = new AbortController();
    const pending = code(engine.run({ sql: SLOW, params: [] }, { ...limits, signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toBe('QUERY_CANCELLED');
    expect(engine.stats().inFlight).toBe(0);
  });

  test('more rows than allowed is RESULT_TOO_LARGE, not a silent truncation', async () => {
    expect(
      await code(engine.run({ sql: 'SELECT * FROM items', params: [] }, { ...limits, maxRows: 100 })),
    ).toBe('RESULT_TOO_LARGE');
    expect(
      await code(engine.run({ sql: 'SELECT name FROM items', params: [] }, { ...limits, maxBytes: 2_000 })),
    ).toBe('RESULT_TOO_LARGE');
  });

  test('a full queue answers SOURCE_BUSY at once instead of piling up', async () => {
    const controller = new AbortController();
    const slow = Array.from({ length: 5 }, () =>
      code(engine.run({ sql: SLOW, params: [] }, { ...limits, signal: controller.signal })),
    );
    // 2 running + 3 queued: the sixth is refused.
    expect(await code(engine.run({ sql: 'SELECT 1', params: [] }, limits))).toBe('SOURCE_BUSY');
    controller.abort();
    expect(await Promise.all(slow)).toEqual(Array(5).fill('QUERY_CANCELLED'));
    expect(engine.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  test('describe reports columns and our types without reading rows', async () => {
    const cols = await engine.describe({ sql: 'SELECT * FROM items LIMIT $1', params: [0] });
    expect(cols.map((c) => [c.name, c.type])).toEqual([
      ['id', 'number'],
      ['name', 'string'],
      ['colour', 'string'],
      ['created', 'date'],
      ['updated_at', 'timestamp'],
      ['price', 'number'],
      ['active', 'boolean'],
    ]);
  });

  test('a missing database file is SOURCE_UNAVAILABLE with the path', async () => {
    const err = await DuckDBEngine.open(
      duckdbSettings(
        { type: 'duckdb', path: 'data/nope.duckdb', allowed_directories: [], pool: { size: 1, queue: 1 } },
        mini.dir,
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrellisError);
    expect((err as TrellisError).code).toBe('SOURCE_UNAVAILABLE');
    expect((err as TrellisError).message).toContain('nope.duckdb');
  });
});

describe('DuckDB engine: exports on the export instance', () => {
  let mini: MiniProject;
  let engine: Engine;
  const streamed = async (sql: string) => {
    const rows: unknown[][] = [];
    for await (const batch of engine.stream({ sql, params: [] }, { timeoutMs: 60_000, tenant: 't' }))
      rows.push(...batch.rows);
    return rows;
  };

  beforeAll(async () => {
    mini = await createMiniProject();
    engine = await openDuckDB(
      {
        type: 'duckdb',
        path: 'data/mini.duckdb',
        allowed_directories: ['data'],
        pool: { size: 2, queue: 3 },
        export_memory_limit: '32MB',
      },
      mini.dir,
    );
  });
  afterAll(async () => engine?.close());

  test('exports get their own memory limit; dashboards keep theirs', async () => {
    const setting = "SELECT current_setting('memory_limit') AS m";
    expect(await streamed(setting)).toEqual([[expect.stringMatching(/^3\d\.\d MiB$/)]]);
    const dashboards = await engine.run({ sql: setting, params: [] }, limits);
    expect(dashboards.rows[0]?.[0]).not.toMatch(/^3\d\.\d MiB$/);
  });

  test('a sort larger than the export memory spills and streams every row in order', async () => {
    // ~60 MB of rows sorted under 32 MB: spilled to the export folder, not run again on the pool.
    const n = 2_000_000;
    const before = (engine as DuckDBEngine).exportFallbacks;
    const rows = await streamed(
      `SELECT i, 'row ' || i || repeat('x', 20) AS pad FROM range(${n}) t(i) ORDER BY i DESC`,
    );
    expect(rows.length).toBe(n);
    expect(rows.every((r, k) => r[0] === n - 1 - k)).toBe(true);
    expect((engine as DuckDBEngine).exportFallbacks).toBe(before);
  });

  test('a sort DuckDB cannot spill within the export memory runs again on the pool, whole and in order', async () => {
    // Long text: DuckDB 1.5 fails this sort under 32 MB ("failed to pin block") instead of spilling.
    const n = 300_000;
    const before = (engine as DuckDBEngine).exportFallbacks;
    const rows = await streamed(
      `SELECT i, 'a' || i || repeat('x', 200) AS pad FROM range(${n}) t(i) ORDER BY i DESC`,
    );
    expect(rows.length).toBe(n);
    expect(rows.every((r, k) => r[0] === n - 1 - k)).toBe(true);
    expect((engine as DuckDBEngine).exportFallbacks).toBe(before + 1);
  });

  test('the export instance is locked down like the pool', async () => {
    await expect(code(streamed("SELECT * FROM read_csv('/etc/passwd')"))).resolves.toBe('QUERY_FAILED');
    await expect(code(streamed("SELECT * FROM read_text('/etc/hostname')"))).resolves.toBe('QUERY_FAILED');
    await expect(code(streamed("SET memory_limit = '8GB'"))).resolves.toBe('QUERY_FAILED');
    expect(await streamed('SELECT count(*) FROM items')).toEqual([[MINI_ITEMS]]);
  });
});
