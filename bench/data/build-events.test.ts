import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, test } from 'vitest';
import { buildEvents } from './build-events.js';
import { createEventsSql, REGIONS, TENANTS } from './events-sql.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function query(file: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    const rows = (await conn.runAndReadAll(sql)).getRowsJson();
    conn.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}

describe('bench events generator', () => {
  const rows = 50_000;
  const a = path.join(dir, 'a.duckdb');
  const b = path.join(dir, 'b.duckdb');
  const fingerprint =
    'SELECT count(*)::BIGINT, sum(hash(ts, tenant, category, region, user_id, amount, duration_ms, message))::VARCHAR FROM events';

  test('the same seed builds the same rows; the stamp skips a rebuild', async () => {
    expect((await buildEvents({ file: a, rows })).built).toBe(true);
    expect((await buildEvents({ file: b, rows })).built).toBe(true);
    expect(await query(a, fingerprint)).toEqual(await query(b, fingerprint));
    expect((await buildEvents({ file: a, rows })).built).toBe(false);
    const other = path.join(dir, 'c.duckdb');
    await buildEvents({ file: other, rows, seed: 1 });
    expect(await query(other, fingerprint)).not.toEqual(await query(a, fingerprint));
  });

  test('20 tenants of skewed size, 8 regions, one year in time order, sane values', async () => {
    const tenants = (await query(
      a,
      'SELECT tenant, count(*)::INT FROM events GROUP BY 1 ORDER BY 2 DESC',
    )) as [string, number][];
    expect(tenants).toHaveLength(TENANTS);
    expect(tenants[0]?.[0]).toBe('t00');
    expect((tenants[0]?.[1] ?? 0) / (tenants[TENANTS - 1]?.[1] ?? 1)).toBeGreaterThan(8);
    const [row] = (await query(
      a,
      `SELECT count(DISTINCT region)::INT, min(ts)::VARCHAR, max(ts)::VARCHAR, min(amount), max(amount),
              min(duration_ms), count(DISTINCT category)::INT, count(*) FILTER (WHERE message IS NULL)::INT
       FROM events`,
    )) as unknown[][];
    expect(row).toEqual([
      REGIONS.length,
      expect.stringMatching(/^2025-01-01/),
      expect.stringMatching(/^2025-12-31/),
      0,
      expect.any(Number),
      5,
      40,
      0,
    ]);
    expect(Number(row?.[4])).toBeLessThanOrEqual(2000);
    // Days follow the row order (so date filters can skip row groups).
    const [[unordered]] = (await query(
      a,
      'SELECT count(*)::INT FROM (SELECT ts::DATE d, lag(ts::DATE) OVER (ORDER BY rowid) p FROM events) WHERE d < p',
    )) as [[number]];
    expect(unordered).toBe(0);
  });

  test('refuses a row count that is not a positive integer', () => {
    expect(() => createEventsSql(0, 1)).toThrow();
    expect(() => createEventsSql(1.5, 1)).toThrow();
  });
});
