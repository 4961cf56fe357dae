import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CONTRACT_TENANT, contractDatasets } from '../../../../test/engine-contract/contract-plans.js';
import {
  duckdbTarget,
  mysqlTarget,
  postgresTarget,
  type EngineTarget,
} from '../../../../test/engine-contract/engine-targets.js';
import { FIXTURE_ROWS } from '../../../../test/engine-fixture.js';
import { serviceGate } from '../../../../test/test-services.js';
import { compilePlan } from '../../compiler.js';
import type { Engine } from '../../engine.js';
import type { BoxplotPlan } from '../../plan.js';

/**
 * Box plots' quartiles are the engine's (quantile_cont on DuckDB, percentile_cont on PostgreSQL, the
 * sorted GROUP_CONCAT list on MySQL/MariaDB): the same fixture on every engine must give the
 * continuous quantiles computed here, in JavaScript, from the fixture rows themselves.
 */
const pg = await serviceGate('postgres', 'PostgreSQL box plot tests');
const my = await serviceGate('mysql', 'MariaDB box plot tests');

const ENGINES = [
  { name: 'duckdb', available: true, make: duckdbTarget },
  { name: 'postgres', available: pg.available, make: () => postgresTarget(pg.url) },
  { name: 'mysql', available: my.available, make: () => mysqlTarget(my.url) },
] as const;

/** percentile_cont: the value at position (n − 1)·f of the sorted values, interpolated. */
function quantile(sorted: readonly number[], f: number): number {
  const pos = (sorted.length - 1) * f;
  const lo = Math.floor(pos);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (pos - lo) * (b - a);
}

function expected(colour: string | null | undefined) {
  const values = FIXTURE_ROWS.filter((r) => colour === undefined || r.colour === colour)
    .map((r) => r.price)
    .filter((p): p is number => p !== null)
    .sort((x, y) => x - y);
  return [
    values[0],
    quantile(values, 0.25),
    quantile(values, 0.5),
    quantile(values, 0.75),
    values[values.length - 1],
    values.length,
  ];
}

const plan = (over: Partial<BoxplotPlan> = {}): BoxplotPlan => ({
  kind: 'boxplot',
  dataset: 'items',
  tenant: CONTRACT_TENANT,
  filters: [],
  column: 'price',
  limit: 10,
  ...over,
});

for (const spec of ENGINES) {
  describe.runIf(spec.available)(`${spec.name}: box plot quartiles in SQL`, () => {
    let target: EngineTarget;
    let engine: Engine;
    beforeAll(async () => {
      target = await spec.make();
      engine = await target.open();
    });
    afterAll(async () => {
      await engine?.close();
      await target?.teardown();
    });
    const run = async (p: BoxplotPlan) => {
      const ds = contractDatasets(target.tables).get('items');
      if (!ds) throw new Error('no items dataset');
      return engine.run(compilePlan(p, ds, engine.dialect, { maxRows: 100 }), {
        timeoutMs: 10_000,
        maxRows: 100,
        maxBytes: 1_000_000,
      });
    };
    const close = (actual: readonly unknown[], want: readonly unknown[]) => {
      expect(actual.length).toBe(want.length);
      actual.forEach((v, i) => expect(Number(v)).toBeCloseTo(Number(want[i]), 6));
    };

    test('one box over every row: min, quartiles, max and count', async () => {
      const r = await run(plan());
      expect(r.columns).toEqual(['low', 'q1', 'median', 'q3', 'high', 'n']);
      expect(r.rows).toHaveLength(1);
      close(r.rows[0] ?? [], expected(undefined));
    });

    test('one box per group, groups in order with NULL last, filters applied', async () => {
      const r = await run(plan({ dimension: 'colour' }));
      expect(r.columns[0]).toBe('colour');
      const groups = r.rows.map((row) => row[0]);
      expect(groups).toEqual(['blue', 'green', "o'brien", 'red', null]);
      for (const row of r.rows) close(row.slice(1), expected(row[0] as string | null));
      const filtered = await run(
        plan({ dimension: 'colour', filters: [{ kind: 'in', column: 'colour', values: ['red'] }] }),
      );
      expect(filtered.rows.map((row) => row[0])).toEqual(['red']);
    });

    test('the group limit is the statement’s (the service asks one more to tell a cut)', async () => {
      const r = await run(plan({ dimension: 'colour', limit: 2 }));
      expect(r.rows.map((row) => row[0])).toEqual(['blue', 'green']);
    });
  });
}
