import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMiniProject, MINI_ITEMS, type MiniProject } from '../../../../test/mini-project.js';
import { TrellisError } from '../../../errors.js';
import type { RunOptions } from '../../engine.js';
import { duckdbSettings, type DuckDBSettings } from './duckdb-config.js';
import { DuckDBEngine } from './duckdb-engine.js';

const limits: RunOptions = { timeoutMs: 5_000, maxRows: 10_000, maxBytes: 10_000_000 };
const SLOW = 'SELECT count(*) FROM range(100000000000) a';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof TrellisError ? err.code : `raw: ${(err as Error).message}`;
  }
}

/** Prepared statements kept per pooled connection (duckdb-statements.ts), on a real DuckDB file. */
describe('DuckDB prepared statements per connection', () => {
  let mini: MiniProject;
  const engines: DuckDBEngine[] = [];

  async function open(overrides: Partial<DuckDBSettings> = {}): Promise<DuckDBEngine> {
    const base = duckdbSettings(
      {
        type: 'duckdb',
        path: 'data/mini.duckdb',
        allowed_directories: ['data'],
        pool: { size: 1, queue: 5 },
      },
      mini.dir,
    );
    const engine = await DuckDBEngine.open({ ...base, ...overrides });
    engines.push(engine);
    return engine;
  }

  beforeAll(async () => {
    mini = await createMiniProject();
  });
  afterAll(async () => {
    for (const e of engines) await e.close();
  });

  test('the same SQL is prepared once per connection and re-bound; results match the literal query', async () => {
    const engine = await open();
    const sql =
      'SELECT count(*) AS n, sum(price) AS s, min(created) AS d, max(updated_at) AS t, min(colour) AS c FROM items WHERE id >= $1 AND name LIKE $2';
    for (const [from, like] of [
      [0, '%'],
      [250, '%'],
      [499, 'item%'],
      [10, '%off_sale'],
      [MINI_ITEMS, '%'],
      [-9007199254740991, '%7%'],
    ] as const) {
      const bound = await engine.run({ sql, params: [from, like] }, limits);
      const literal = await engine.run(
        { sql: sql.replace('$1', String(from)).replace('$2', `'${like}'`), params: [] },
        limits,
      );
      expect(bound.columns).toEqual(literal.columns);
      expect(bound.rows).toEqual(literal.rows);
    }
    // One bound statement, six literal ones.
    expect(engine.statementStats()).toEqual({ cached: [7], prepared: 7 });
    expect((await engine.run({ sql, params: [MINI_ITEMS - 1, '%'] }, limits)).rows[0]?.[0]).toBe(1);
    expect(engine.statementStats().prepared).toBe(7);
  });

  test('at most N statements per connection: the least recently used is destroyed first', async () => {
    const engine = await open({ statementsPerConnection: 3 });
    const sqlFor = (i: number) => `SELECT ${i} + $1 AS v`;
    for (let i = 0; i < 6; i++) {
      expect((await engine.run({ sql: sqlFor(i), params: [1] }, limits)).rows).toEqual([[i + 1]]);
      expect(engine.statementStats().cached[0]).toBeLessThanOrEqual(3);
    }
    expect(engine.statementStats()).toEqual({ cached: [3], prepared: 6 });
    await engine.run({ sql: sqlFor(3), params: [2] }, limits); // cached: 4, 5, 3 (3 now most recent)
    expect(engine.statementStats().prepared).toBe(6);
    await engine.run({ sql: sqlFor(0), params: [2] }, limits); // evicted long ago: prepared again, 4 out
    expect(engine.statementStats().prepared).toBe(7);
    await engine.run({ sql: sqlFor(3), params: [3] }, limits); // still cached
    expect(engine.statementStats().prepared).toBe(7);
    await engine.run({ sql: sqlFor(4), params: [3] }, limits); // was the oldest: evicted by 0
    expect(engine.statementStats()).toEqual({ cached: [3], prepared: 8 });
  });

  test('a timeout interrupts the statement, destroys the connection’s statements, and the connection works on', async () => {
    const engine = await open();
    await engine.run({ sql: 'SELECT $1 + 1', params: [1] }, limits);
    expect(engine.statementStats().cached).toEqual([1]);
    const started = Date.now();
    expect(await code(engine.run({ sql: SLOW, params: [] }, { ...limits, timeoutMs: 200 }))).toBe(
      'QUERY_TIMEOUT',
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(engine.statementStats().cached).toEqual([0]);
    for (let i = 0; i < 3; i++)
      expect((await engine.run({ sql: 'SELECT $1 + 1', params: [i] }, limits)).rows).toEqual([[i + 1]]);
    // The slow statement itself, prepared afresh, is still interruptible.
    expect(await code(engine.run({ sql: SLOW, params: [] }, { ...limits, timeoutMs: 200 }))).toBe(
      'QUERY_TIMEOUT',
    );
    expect(engine.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  test('a client abort cancels a re-used statement: QUERY_CANCELLED, then fresh statements', async () => {
    const engine = await open();
    const sql = 'SELECT count(*) FROM range($1) a, range($1) b';
    expect((await engine.run({ sql, params: [10] }, limits)).rows).toEqual([[100]]);
    const controller = new AbortController();
    const pending = code(engine.run({ sql, params: [10_000_000] }, { ...limits, signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toBe('QUERY_CANCELLED');
    expect(engine.statementStats().cached).toEqual([0]);
    expect((await engine.run({ sql, params: [3] }, limits)).rows).toEqual([[9]]);
  });

  test('a statement that failed while running is not kept; one that fails to prepare is not cached', async () => {
    const engine = await open();
    const sql = 'SELECT CAST($1 AS INTEGER) AS v';
    expect((await engine.run({ sql, params: ['5'] }, limits)).rows).toEqual([[5]]);
    expect(await code(engine.run({ sql, params: ['five'] }, limits))).toBe('QUERY_FAILED');
    expect(engine.statementStats()).toEqual({ cached: [0], prepared: 1 });
    expect((await engine.run({ sql, params: ['6'] }, limits)).rows).toEqual([[6]]);
    expect(engine.statementStats().prepared).toBe(2);
    expect(await code(engine.run({ sql: 'SELEC 1', params: [] }, limits))).toBe('QUERY_FAILED');
    expect(engine.statementStats().cached).toEqual([1]);
  });

  test('RESULT_TOO_LARGE mid-stream drops the statement; the next run reads every row again', async () => {
    const engine = await open();
    const sql = 'SELECT id FROM items WHERE id < $1 ORDER BY id';
    expect(await code(engine.run({ sql, params: [MINI_ITEMS] }, { ...limits, maxRows: 100 }))).toBe(
      'RESULT_TOO_LARGE',
    );
    expect(engine.statementStats().cached).toEqual([0]);
    const r = await engine.run({ sql, params: [MINI_ITEMS] }, limits);
    expect(r.rows.length).toBe(MINI_ITEMS);
    expect(r.rows.at(-1)).toEqual([MINI_ITEMS - 1]);
  });

  test('several statements in one string are refused, none of them run', async () => {
    const engine = await open();
    expect(await code(engine.run({ sql: 'SELECT 1; SELECT 2', params: [] }, limits))).toBe('QUERY_FAILED');
    expect(engine.statementStats().cached).toEqual([0]);
  });

  test('every pooled connection keeps its own statements; closing destroys them all', async () => {
    const engine = await open({ poolSize: 2 });
    const sql = 'SELECT count(*) FROM items WHERE id < $1';
    // Concurrent runs take both connections.
    for (let i = 0; i < 3; i++)
      await Promise.all([engine.run({ sql, params: [1] }, limits), engine.run({ sql, params: [2] }, limits)]);
    expect(engine.statementStats()).toEqual({ cached: [1, 1], prepared: 2 });
    await engine.close();
    expect(engine.statementStats().cached).toEqual([]);
    expect(await code(engine.run({ sql, params: [1] }, limits))).toBe('SOURCE_UNAVAILABLE');
  });
});
