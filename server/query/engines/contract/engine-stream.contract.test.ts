import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  duckdbTarget,
  mysqlTarget,
  postgresTarget,
  type EngineTarget,
} from '../../../../test/engine-contract/engine-targets.js';
import { serviceGate } from '../../../../test/test-services.js';
import { TrellisError } from '../../../errors.js';
import type { Engine, RowBatch } from '../../engine.js';

/**
 * The streaming read (exports) on every engine: all rows arrive in batches, in order; a consumer that
 * stops early cancels the statement (the engine's slot comes back); a consumer that pauses loses
 * nothing. (That memory stays flat while it pauses is measured by `npm run bench -- export`.)
 */
const pg = await serviceGate('postgres', 'PostgreSQL engine streaming tests');
const my = await serviceGate('mysql', 'MariaDB engine streaming tests');

const ENGINES = [
  { name: 'duckdb', available: true, make: duckdbTarget },
  { name: 'postgres', available: pg.available, make: () => postgresTarget(pg.url) },
  { name: 'mysql', available: my.available, make: () => mysqlTarget(my.url) },
] as const;

/** 200,000 generated rows: a series, its text, and a null every seventh row. */
const SERIES: Record<EngineTarget['name'], string> = {
  duckdb:
    "SELECT i AS n, 'row ' || i AS label, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 2 END AS twice FROM range(1, 200001) t(i) ORDER BY i",
  postgres:
    "SELECT i AS n, 'row ' || i AS label, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 2 END AS twice FROM generate_series(1, 200000) AS t(i) ORDER BY i",
  mysql:
    "WITH RECURSIVE d(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM d WHERE x < 9), t(i) AS (SELECT 1 + a.x + 10 * b.x + 100 * c.x + 1000 * e.x + 10000 * f.x + 100000 * g.x FROM d a, d b, d c, d e, d f, d g) SELECT i AS n, CONCAT('row ', i) AS label, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 2 END AS twice FROM t WHERE i <= 200000 ORDER BY i",
};
const TOTAL = 200_000;

describe.each(ENGINES)('stream on $name', ({ name, available, make }) => {
  let target: EngineTarget;
  let engine: Engine;
  beforeAll(async () => {
    if (!available) return;
    target = await make();
    engine = await target.open({ size: 2, queue: 10 });
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
    await target?.teardown();
  });

  test.skipIf(!available)(
    'every row arrives, in order, in bounded batches',
    async () => {
      let count = 0;
      let batches = 0;
      let largest = 0;
      let columns: readonly string[] = [];
      let mismatch: { got: unknown; want: unknown } | undefined;
      for await (const batch of engine.stream({ sql: SERIES[name], params: [] }, { timeoutMs: 60_000 })) {
        columns = batch.columns;
        batches++;
        largest = Math.max(largest, batch.rows.length);
        for (const row of batch.rows) {
          count++;
          // One expect per row would dominate the run time: collect the first mismatch instead.
          const want = [count, `row ${count}`, count % 7 === 0 ? null : count * 2];
          if (!mismatch && (Number(row[0]) !== want[0] || row[1] !== want[1] || row[2] !== want[2]))
            mismatch = { got: row, want };
        }
      }
      expect(mismatch).toBeUndefined();
      expect(columns).toEqual(['n', 'label', 'twice']);
      expect(count).toBe(TOTAL);
      expect(batches).toBeGreaterThan(10);
      // A batch is about one read's worth, never the whole result.
      expect(largest).toBeLessThan(20_000);
    },
    60_000,
  );

  test.skipIf(!available)(
    'an empty result still names its columns',
    async () => {
      const seen: RowBatch[] = [];
      const sql = `SELECT * FROM (${SERIES[name]}) AS s WHERE n < 0`;
      for await (const batch of engine.stream({ sql, params: [] }, { timeoutMs: 30_000 })) seen.push(batch);
      expect(seen.flatMap((b) => b.rows)).toEqual([]);
      expect(seen[0]?.columns).toEqual(['n', 'label', 'twice']);
    },
    30_000,
  );

  test.skipIf(!available)(
    'stopping early cancels the statement and frees the slot',
    async () => {
      for (let i = 0; i < 3; i++) {
        let rows = 0;
        for await (const batch of engine.stream({ sql: SERIES[name], params: [] }, { timeoutMs: 30_000 })) {
          rows += batch.rows.length;
          if (rows > 1000) break;
        }
        expect(rows).toBeGreaterThan(1000);
      }
      // Three abandoned streams on a pool of two: the slots came back, so this one runs.
      const r = await engine.run(
        { sql: 'SELECT 1', params: [] },
        { timeoutMs: 10_000, maxRows: 1, maxBytes: 100 },
      );
      expect(r.rows).toHaveLength(1);
      await expect.poll(() => engine.stats().inFlight, { timeout: 5_000 }).toBe(0);
    },
    60_000,
  );

  test.skipIf(!available)(
    'a consumer that pauses between batches still gets every row',
    async () => {
      const stream = engine.stream({ sql: SERIES[name], params: [] }, { timeoutMs: 30_000 });
      const it = stream[Symbol.asyncIterator]();
      const first = await it.next();
      expect(first.done).toBe(false);
      // Not pulling for a while: the engine waits (its socket or chunk fetch paused), then goes on.
      await new Promise((r) => setTimeout(r, 300));
      let count = first.value?.rows.length ?? 0;
      for (;;) {
        const next = await it.next();
        if (next.done) break;
        count += next.value.rows.length;
      }
      expect(count).toBe(TOTAL);
    },
    60_000,
  );

  test.skipIf(!available)(
    'the client signal cancels a stream (QUERY_CANCELLED)',
    async () => {
      const controller = new AbortController();
      const run = (async () => {
        let rows = 0;
        for await (const batch of engine.stream(
          { sql: SERIES[name], params: [] },
          { timeoutMs: 30_000, signal: controller.signal },
        )) {
          rows += batch.rows.length;
          if (rows > 0) controller.abort();
          await new Promise((r) => setTimeout(r, 20));
        }
        return rows;
      })();
      const err = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TrellisError);
      expect((err as TrellisError).code).toBe('QUERY_CANCELLED');
    },
    30_000,
  );
});
