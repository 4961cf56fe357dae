import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Cell } from '../../../../contract/index.js';
import {
  CONTRACT_PLANS,
  CONTRACT_TENANT,
  HOSTILE_VALUES,
  contractDatasets,
} from '../../../../test/engine-contract/contract-plans.js';
import {
  duckdbTarget,
  mysqlTarget,
  postgresTarget,
  type EngineTarget,
} from '../../../../test/engine-contract/engine-targets.js';
import { CANARY_COUNT, FIXTURE_COUNT, FIXTURE_ROWS } from '../../../../test/engine-fixture.js';
import { serviceGate } from '../../../../test/test-services.js';
import { TrellisError } from '../../../errors.js';
import { compileDescribe, compilePlan } from '../../compiler.js';
import type { Engine, QueryResult, RunOptions } from '../../engine.js';
import type { QueryPlan } from '../../plan.js';
import { outcome } from '../../../../test/outcome.js';

/**
 * The engine contract (engines/contract/ in docs/ARCHITECTURE.md): the same fixture in DuckDB, PostgreSQL and MariaDB, the
 * same plans compiled for each and run through the Engine seam, equal results; the compiled SQL per
 * engine for a few plans; and the behaviour every engine owes: timeouts and cancellation that stop
 * the statement on the server, result limits, a bounded fair queue, unreachable sources, bound values.
 */
const pg = await serviceGate('postgres', 'PostgreSQL engine contract tests');
const my = await serviceGate('mysql', 'MariaDB engine contract tests');

const ENGINES = [
  { name: 'duckdb', available: true, make: duckdbTarget },
  { name: 'postgres', available: pg.available, make: () => postgresTarget(pg.url) },
  { name: 'mysql', available: my.available, make: () => mysqlTarget(my.url) },
] as const;

const LIMITS: RunOptions = { timeoutMs: 10_000, maxRows: 1_000, maxBytes: 10_000_000 };
const MAX_ROWS = 1_000;

/** Timeout and cancel latencies measured on each engine, printed at the end for the record. */
const latencies: string[] = [];
afterAll(() => {
  if (latencies.length) console.log(`\nengine contract latencies:\n  ${latencies.join('\n  ')}\n`);
});

function runPlan(
  engine: Engine,
  target: EngineTarget,
  plan: QueryPlan,
  options = LIMITS,
): Promise<QueryResult> {
  const dataset = contractDatasets(target.tables).get(plan.dataset);
  if (!dataset) throw new Error(`no dataset ${plan.dataset}`);
  return engine.run(compilePlan(plan, dataset, engine.dialect, { maxRows: options.maxRows }), options);
}

/** Equal results: same columns, same rows in the same order, numbers equal up to float noise. */
function expectSameRows(actual: QueryResult, expected: { columns: readonly string[]; rows: Cell[][] }) {
  expect(actual.columns).toEqual(expected.columns);
  expect(actual.rows.length).toBe(expected.rows.length);
  actual.rows.forEach((row, r) =>
    row.forEach((cell, c) => {
      const want = expected.rows[r]?.[c];
      if (typeof cell === 'number' && typeof want === 'number') {
        // MySQL's AVG of DECIMAL keeps 4 more decimals (div_precision_increment); doubles differ in the last bits.
        expect(
          Math.abs(cell - want),
          `row ${r} column ${actual.columns[c]}: ${cell} vs ${want}`,
        ).toBeLessThanOrEqual(Math.max(1e-4, Math.abs(want) * 1e-9));
      } else {
        expect(cell, `row ${r} column ${actual.columns[c]}`).toEqual(want);
      }
    }),
  );
}

/** What some plans must return, computed here from the fixture rows: the reference is not trusted blindly. */
const count = (pred: (r: (typeof FIXTURE_ROWS)[number]) => boolean) => FIXTURE_ROWS.filter(pred).length;
const sum = (xs: (number | null)[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);
const GROUND_TRUTH: Record<string, Cell[][]> = {
  'count: all rows': [[FIXTURE_COUNT]],
  'NULL filter': [[count((r) => r.colour === null)]],
  'NOT NULL filter': [[count((r) => r.price !== null)]],
  'contains % literally': [[count((r) => r.name.includes('50%'))]],
  'contains _ literally': [[count((r) => r.name.includes('f_s'))]],
  'contains a lone _ is not a wildcard': [[count((r) => r.name.includes('_'))]],
  'contains a quote': [[count((r) => r.name.includes("o'c"))]],
  'contains is case-insensitive': [[count((r) => r.colour === "o'brien")]],
  'contains a backslash': [[count((r) => r.name.includes('k\\s'))]],
  'contains over a number column': [[count((r) => String(r.id).includes('12'))]],
  'contains over several columns': [[count((r) => /re/i.test(r.name) || /re/i.test(r.colour ?? ''))]],
  'empty IN matches nothing': [[0]],
  'string <> excludes NULLs': [[count((r) => r.colour !== null && r.colour !== 'red')]],
  'boolean and timestamp compare': [[count((r) => r.active && r.updated_at < '2020-03-01 12:00:00')]],
  'numbers: IN and ranges': [
    [count((r) => [1, 2, 3].includes(r.qty ?? -1) && r.price !== null && r.price >= 10.5 && r.price < 200)],
  ],
};

let reference: { target: EngineTarget; engine: Engine } | undefined;
/** DuckDB's answer for a plan: what every other engine must match. */
async function referenceResult(plan: QueryPlan): Promise<QueryResult> {
  if (!reference) {
    const target = await duckdbTarget();
    reference = { target, engine: await target.open() };
  }
  return runPlan(reference.engine, reference.target, plan);
}
afterAll(async () => {
  await reference?.engine.close();
  await reference?.target.teardown();
});

for (const spec of ENGINES) {
  describe.runIf(spec.available)(`${spec.name} engine contract`, () => {
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

    describe('same results as DuckDB for every plan kind', () => {
      for (const [label, plan] of Object.entries(CONTRACT_PLANS)) {
        test(label, async () => {
          const result = await runPlan(engine, target, plan);
          expect(result.rows.length).toBeGreaterThan(0);
          expectSameRows(result, await referenceResult(plan));
          const truth = GROUND_TRUTH[label];
          if (truth) expect(result.rows).toEqual(truth);
        });
      }

      test('the KPI matches sums computed from the fixture', async () => {
        const r = await runPlan(
          engine,
          target,
          CONTRACT_PLANS['KPI: every aggregate, no dimension'] as QueryPlan,
        );
        const row = Object.fromEntries(r.columns.map((c, i) => [c, r.rows[0]?.[i]]));
        expect(row).toMatchObject({
          count: FIXTURE_COUNT,
          colours: 4,
          priced: count((x) => x.price !== null),
          active_count: count((x) => x.active),
          total_qty: sum(FIXTURE_ROWS.map((x) => x.qty)),
          max_created: FIXTURE_ROWS.map((x) => x.created)
            .sort()
            .at(-1),
          min_updated: FIXTURE_ROWS.map((x) => x.updated_at)
            .sort()[0]
            ?.replace(' ', 'T'),
        });
        expect(row.revenue).toBeCloseTo(sum(FIXTURE_ROWS.map((x) => x.price)), 6);
        const prices = FIXTURE_ROWS.flatMap((x) => (x.price === null ? [] : [x.price])).sort((a, b) => a - b);
        const mid = prices.length / 2;
        const median =
          prices.length % 2 ? prices[Math.floor(mid)] : ((prices[mid - 1] ?? 0) + (prices[mid] ?? 0)) / 2;
        expect(row.median_price).toBeCloseTo(median ?? NaN, 6);
      });

      test('describe reports the same columns and types without reading rows', async () => {
        const items = contractDatasets(target.tables).get('items');
        if (!items) throw new Error('no items dataset');
        const cols = await engine.describe(compileDescribe(items, engine.dialect));
        expect(cols.map((c) => [c.name, c.type])).toEqual([
          ['id', 'number'],
          ['name', 'string'],
          ['colour', 'string'],
          ['created', 'date'],
          ['updated_at', 'timestamp'],
          ['price', 'number'],
          ['qty', 'number'],
          ['score', 'number'],
          ['active', 'boolean'],
        ]);
        const kpi = CONTRACT_PLANS['KPI: every aggregate, no dimension'] as QueryPlan;
        const measures = await engine.describe(compilePlan(kpi, items, engine.dialect, { maxRows: 1 }));
        expect(measures.map((c) => [c.name, c.type])).toEqual([
          ['count', 'number'],
          ['revenue', 'number'],
          ['avg_price', 'number'],
          ['median_price', 'number'],
          ['median_score', 'number'],
          ['colours', 'number'],
          ['max_created', 'date'],
          ['min_updated', 'timestamp'],
          ['total_qty', 'number'],
          ['avg_qty', 'number'],
          ['priced', 'number'],
          ['active_count', 'number'],
        ]);
      });
    });

    describe('compiled SQL', () => {
      for (const [label, expected] of Object.entries(EXPECTED_SQL[spec.name])) {
        test(label, () => {
          const plan = CONTRACT_PLANS[label];
          const dataset = plan && contractDatasets(target.tables).get(plan.dataset);
          if (!plan || !dataset) throw new Error(`no plan ${label}`);
          const q = compilePlan(plan, dataset, engine.dialect, { maxRows: MAX_ROWS });
          expect(q.sql.replaceAll(target.tables.items, '<items>')).toBe(expected.sql);
          expect(q.params).toEqual(expected.params);
        });
      }
    });

    describe('behaviour', () => {
      test('a statement past its deadline is stopped: QUERY_TIMEOUT, and gone from the server', async () => {
        const marker = `trellis_timeout_${Math.random().toString(36).slice(2, 10)}`;
        const timeoutMs = 500;
        const started = performance.now();
        const pending = outcome(
          engine.run({ sql: target.slowSql(marker), params: target.slowParams }, { ...LIMITS, timeoutMs }),
        );
        if (target.serverSide)
          expect(
            await waitFor(
              () => target.statementsWith(marker),
              (n) => n > 0,
            ),
          ).toBe(true);
        expect(await pending).toBe('QUERY_TIMEOUT');
        const answeredMs = performance.now() - started - timeoutMs;
        const goneMs = await msUntilGone(target, marker);
        latencies.push(
          `${spec.name}: timeout answered ${answeredMs.toFixed(0)} ms after the deadline; statement gone ${goneMs.toFixed(0)} ms after that`,
        );
        expect(answeredMs).toBeLessThan(1_500);
        expect(goneMs).toBeLessThan(2_000);
        expect(engine.stats()).toMatchObject({ inFlight: 0, queued: 0 });
        expect((await engine.run({ sql: 'SELECT 42', params: [] }, LIMITS)).rows).toEqual([[42]]);
      });

      test('aborting the signal (client went away) stops the statement: QUERY_CANCELLED, and gone', async () => {
        const marker = `trellis_cancel_${Math.random().toString(36).slice(2, 10)}`;
        const controller = new AbortController();
        const pending = outcome(
          engine.run(
            { sql: target.slowSql(marker), params: target.slowParams },
            { ...LIMITS, signal: controller.signal },
          ),
        );
        if (target.serverSide)
          expect(
            await waitFor(
              () => target.statementsWith(marker),
              (n) => n > 0,
            ),
          ).toBe(true);
        else await sleep(100);
        const aborted = performance.now();
        controller.abort();
        expect(await pending).toBe('QUERY_CANCELLED');
        const answeredMs = performance.now() - aborted;
        const goneMs = await msUntilGone(target, marker);
        latencies.push(
          `${spec.name}: cancel answered ${answeredMs.toFixed(0)} ms after the abort; statement gone ${goneMs.toFixed(0)} ms after that`,
        );
        expect(answeredMs).toBeLessThan(1_500);
        expect(goneMs).toBeLessThan(2_000);
        expect(engine.stats().inFlight).toBe(0);
      });

      test('more rows or bytes than allowed is RESULT_TOO_LARGE, not a silent truncation', async () => {
        const rows = CONTRACT_PLANS['rows: sorted, paged with offset, every column type'] as QueryPlan;
        const page = { ...rows, limit: 500, offset: 0 } as QueryPlan;
        expect(await outcome(runPlan(engine, target, page, { ...LIMITS, maxRows: 10 }))).toBe(
          'RESULT_TOO_LARGE',
        );
        expect(await outcome(runPlan(engine, target, page, { ...LIMITS, maxBytes: 2_000 }))).toBe(
          'RESULT_TOO_LARGE',
        );
        // Exactly the limit is fine.
        const exact = await runPlan(engine, target, { ...rows, limit: 10, offset: 0 } as QueryPlan, {
          ...LIMITS,
          maxRows: 10,
        });
        expect(exact.rows).toHaveLength(10);
        // An aggregate without a declared limit that overflows is refused too.
        const days = { ...(CONTRACT_PLANS['day grain'] as QueryPlan), limit: undefined } as QueryPlan;
        expect(await outcome(runPlan(engine, target, days, { ...LIMITS, maxRows: 50 }))).toBe(
          'RESULT_TOO_LARGE',
        );
        expect((await engine.run({ sql: 'SELECT 1', params: [] }, LIMITS)).rows).toEqual([[1]]);
      });

      test('a full queue answers SOURCE_BUSY at once instead of piling up', async () => {
        const small = await target.open({ size: 2, queue: 3 });
        try {
          const controller = new AbortController();
          const marker = `trellis_busy_${Math.random().toString(36).slice(2, 10)}`;
          const slow = Array.from({ length: 5 }, () =>
            outcome(
              small.run(
                { sql: target.slowSql(marker), params: target.slowParams },
                { ...LIMITS, signal: controller.signal },
              ),
            ),
          );
          const started = performance.now();
          expect(await outcome(small.run({ sql: 'SELECT 1', params: [] }, LIMITS))).toBe('SOURCE_BUSY');
          expect(performance.now() - started).toBeLessThan(100);
          expect(small.stats()).toMatchObject({ inFlight: 2, queued: 3, poolSize: 2 });
          controller.abort();
          expect(await Promise.all(slow)).toEqual(Array(5).fill('QUERY_CANCELLED'));
          expect(small.stats()).toMatchObject({ inFlight: 0, queued: 0 });
          expect(await msUntilGone(target, marker)).toBeLessThan(2_000);
        } finally {
          await small.close();
        }
      });

      test('free slots go round-robin across tenants: a burst of one cannot starve another', async () => {
        const one = await target.open({ size: 1, queue: 50 });
        try {
          const order: string[] = [];
          const run = (tenant: string | undefined, label: string) =>
            one
              .run({ sql: 'SELECT 1', params: [] }, { ...LIMITS, ...(tenant ? { tenant } : {}) })
              .then(() => order.push(label));
          const blocker = one.run({ sql: target.pauseSql, params: [] }, LIMITS);
          const all = [
            ...Array.from({ length: 10 }, (_, i) => run('tenant-a', `a${i}`)),
            run('tenant-b', 'b0'),
            run('tenant-b', 'b1'),
          ];
          await Promise.all([blocker, ...all]);
          expect(order.indexOf('b0')).toBeLessThan(2);
          expect(order.indexOf('b1')).toBeLessThan(4);
          // Without tenants it is one queue, first come first served: the same burst makes b wait.
          order.length = 0;
          const blocker2 = one.run({ sql: target.pauseSql, params: [] }, LIMITS);
          const fifo = [
            ...Array.from({ length: 10 }, (_, i) => run(undefined, `a${i}`)),
            run(undefined, 'b0'),
            run(undefined, 'b1'),
          ];
          await Promise.all([blocker2, ...fifo]);
          expect(order.slice(-2)).toEqual(['b0', 'b1']);
        } finally {
          await one.close();
        }
      });

      test('an unreachable source is SOURCE_UNAVAILABLE, quickly', async () => {
        const started = performance.now();
        const err = await target.openUnreachable().then(
          async (e) => {
            await e.close();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(TrellisError);
        expect((err as TrellisError).code).toBe('SOURCE_UNAVAILABLE');
        expect(performance.now() - started).toBeLessThan(3_000);
      });

      test('hostile strings are bound, never spliced: nothing matches, the canary keeps its rows', async () => {
        for (const value of HOSTILE_VALUES) {
          const plans: QueryPlan[] = [
            {
              kind: 'count',
              dataset: 'items',
              tenant: CONTRACT_TENANT,
              filters: [{ kind: 'in', column: 'colour', values: [value, 'x'] }],
            },
            {
              kind: 'count',
              dataset: 'items',
              tenant: CONTRACT_TENANT,
              filters: [{ kind: 'compare', column: 'name', op: '=', value }],
            },
            {
              kind: 'count',
              dataset: 'items',
              tenant: CONTRACT_TENANT,
              filters: [{ kind: 'contains', columns: ['colour'], text: value }],
            },
          ];
          for (const plan of plans) expect((await runPlan(engine, target, plan)).rows, value).toEqual([[0]]);
        }
        expect(await target.canaryCount()).toBe(CANARY_COUNT);
      });

      test('ping answers', async () => {
        await expect(engine.ping()).resolves.toBeUndefined();
      });
    });
  });
}

/** Polls until `done(value)`; false if it never is within the time. */
async function waitFor<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  withinMs = 3_000,
): Promise<boolean> {
  const until = performance.now() + withinMs;
  while (performance.now() < until) {
    if (done(await probe())) return true;
    await sleep(10);
  }
  return false;
}

/** Milliseconds until the server no longer knows a statement with the marker (Infinity if it stays). */
async function msUntilGone(target: EngineTarget, marker: string): Promise<number> {
  const started = performance.now();
  return (await waitFor(
    () => target.statementsWith(marker),
    (n) => n === 0,
    5_000,
  ))
    ? performance.now() - started
    : Infinity;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The compiled SQL of a few plans, per engine: the dialect differences, spelled out. */
const EXPECTED_SQL: Record<
  'duckdb' | 'postgres' | 'mysql',
  Record<string, { sql: string; params: unknown[] }>
> = {
  duckdb: {
    'median per year, filtered, sorted by the median': {
      sql:
        `SELECT CAST(date_trunc('year', "t"."created") AS DATE) AS "created", median("t"."price") AS "median_price", count(*) AS "count" ` +
        'FROM "<items>" AS "t" WHERE ("t"."qty" > CAST($1 AS DOUBLE)) GROUP BY 1 ORDER BY "median_price" ASC NULLS LAST, "created" ASC NULLS LAST LIMIT $2',
      params: [2, 1001],
    },
    'NULL group sorts last ascending': {
      sql: 'SELECT "t"."colour" AS "colour", count(*) AS "count" FROM "<items>" AS "t" GROUP BY 1 ORDER BY "colour" ASC NULLS LAST LIMIT $1',
      params: [1001],
    },
    'month grain within a date range': {
      sql:
        `SELECT CAST(date_trunc('month', "t"."created") AS DATE) AS "created", count(*) AS "count", sum("t"."price") AS "revenue" ` +
        'FROM "<items>" AS "t" WHERE ("t"."created" >= CAST($1 AS DATE)) AND ("t"."created" <= CAST($2 AS DATE)) ' +
        'GROUP BY 1 ORDER BY "created" ASC NULLS LAST LIMIT $3',
      params: ['2020-03-01', '2021-02-28', 1001],
    },
    'contains over several columns': {
      sql: `SELECT count(*) AS "count" FROM "<items>" AS "t" WHERE ("t"."name" ILIKE $1 ESCAPE '\\' OR "t"."colour" ILIKE $2 ESCAPE '\\')`,
      params: ['%RE%', '%RE%'],
    },
    'rows: NULLs last, ties broken by the listed columns': {
      sql:
        'SELECT "t"."id" AS "id", "t"."colour" AS "colour", "t"."qty" AS "qty" FROM "<items>" AS "t" WHERE ("t"."qty" IS NULL) ' +
        'ORDER BY "colour" ASC NULLS LAST, "id" ASC NULLS LAST, "qty" ASC NULLS LAST LIMIT $1 OFFSET $2',
      params: [20, 3],
    },
  },
  postgres: {
    'median per year, filtered, sorted by the median': {
      sql:
        `SELECT CAST(date_trunc('year', CAST("t"."created" AS TIMESTAMP)) AS DATE) AS "created", percentile_cont(0.5) WITHIN GROUP (ORDER BY "t"."price") AS "median_price", count(*) AS "count" ` +
        'FROM "<items>" AS "t" WHERE ("t"."qty" > CAST($1 AS DOUBLE PRECISION)) GROUP BY 1 ORDER BY "median_price" ASC NULLS LAST, "created" ASC NULLS LAST LIMIT $2',
      params: [2, 1001],
    },
    'NULL group sorts last ascending': {
      sql: 'SELECT "t"."colour" AS "colour", count(*) AS "count" FROM "<items>" AS "t" GROUP BY 1 ORDER BY "colour" ASC NULLS LAST LIMIT $1',
      params: [1001],
    },
    'month grain within a date range': {
      sql:
        `SELECT CAST(date_trunc('month', CAST("t"."created" AS TIMESTAMP)) AS DATE) AS "created", count(*) AS "count", sum("t"."price") AS "revenue" ` +
        'FROM "<items>" AS "t" WHERE ("t"."created" >= CAST($1 AS DATE)) AND ("t"."created" <= CAST($2 AS DATE)) ' +
        'GROUP BY 1 ORDER BY "created" ASC NULLS LAST LIMIT $3',
      params: ['2020-03-01', '2021-02-28', 1001],
    },
    'contains over several columns': {
      sql: `SELECT count(*) AS "count" FROM "<items>" AS "t" WHERE ("t"."name" ILIKE $1 ESCAPE E'\\\\' OR "t"."colour" ILIKE $2 ESCAPE E'\\\\')`,
      params: ['%RE%', '%RE%'],
    },
    'rows: NULLs last, ties broken by the listed columns': {
      sql:
        'SELECT "t"."id" AS "id", "t"."colour" AS "colour", "t"."qty" AS "qty" FROM "<items>" AS "t" WHERE ("t"."qty" IS NULL) ' +
        'ORDER BY "colour" ASC NULLS LAST, "id" ASC NULLS LAST, "qty" ASC NULLS LAST LIMIT $1 OFFSET $2',
      params: [20, 3],
    },
    'SQL file with named parameters: rows': {
      sql:
        'SELECT "t"."id" AS "id", "t"."colour" AS "colour", "t"."price" AS "price", "t"."created" AS "created", "t"."scaled" AS "scaled" ' +
        'FROM (SELECT id, colour, price, created, price * CAST($1 AS DOUBLE PRECISION) AS scaled\nFROM <items>\n' +
        'WHERE created >= CAST($2 AS DATE) AND active = CAST($3 AS BOOLEAN) AND name <> CAST($4 AS TEXT) -- :not_a_param\n) AS "t" ' +
        'WHERE ("t"."colour" IN (CAST($5 AS TEXT))) ORDER BY "id" ASC NULLS LAST, "colour" ASC NULLS LAST, "price" ASC NULLS LAST, ' +
        '"created" ASC NULLS LAST, "scaled" ASC NULLS LAST LIMIT $6',
      params: [2.5, '2020-06-01', true, "item 2'; DROP TABLE x; --", 'blue', 5],
    },
  },
  mysql: {
    // MariaDB: MEDIAN() is a window function, so it is computed in a subquery that applies the filters.
    'median per year, filtered, sorted by the median': {
      sql:
        'SELECT MAKEDATE(YEAR(`t`.`created`), 1) AS `created`, max(`t`.`trellis_median_0`) AS `median_price`, count(*) AS `count` ' +
        'FROM (SELECT `t`.*, MEDIAN(`t`.`price`) OVER (PARTITION BY MAKEDATE(YEAR(`t`.`created`), 1)) AS `trellis_median_0` ' +
        'FROM `<items>` AS `t` WHERE (`t`.`qty` > CAST(? AS DOUBLE))) AS `t` GROUP BY 1 ' +
        'ORDER BY max(`t`.`trellis_median_0`) IS NULL, `median_price` ASC, `created` IS NULL, `created` ASC LIMIT ?',
      params: [2, 1001],
    },
    'NULL group sorts last ascending': {
      sql: 'SELECT `t`.`colour` AS `colour`, count(*) AS `count` FROM `<items>` AS `t` GROUP BY 1 ORDER BY `colour` IS NULL, `colour` ASC LIMIT ?',
      params: [1001],
    },
    'month grain within a date range': {
      sql:
        'SELECT (MAKEDATE(YEAR(`t`.`created`), 1) + INTERVAL (MONTH(`t`.`created`) - 1) MONTH) AS `created`, count(*) AS `count`, sum(`t`.`price`) AS `revenue` ' +
        'FROM `<items>` AS `t` WHERE (`t`.`created` >= CAST(? AS DATE)) AND (`t`.`created` <= CAST(? AS DATE)) ' +
        'GROUP BY 1 ORDER BY `created` IS NULL, `created` ASC LIMIT ?',
      params: ['2020-03-01', '2021-02-28', 1001],
    },
    'contains over several columns': {
      sql:
        'SELECT count(*) AS `count` FROM `<items>` AS `t` WHERE (LOWER(`t`.`name`) LIKE LOWER(?) ESCAPE CHAR(92) ' +
        'OR LOWER(`t`.`colour`) LIKE LOWER(?) ESCAPE CHAR(92))',
      params: ['%RE%', '%RE%'],
    },
    'rows: NULLs last, ties broken by the listed columns': {
      sql:
        'SELECT `t`.`id` AS `id`, `t`.`colour` AS `colour`, `t`.`qty` AS `qty` FROM `<items>` AS `t` WHERE (`t`.`qty` IS NULL) ' +
        'ORDER BY `colour` IS NULL, `colour` ASC, `id` IS NULL, `id` ASC, `qty` IS NULL, `qty` ASC LIMIT ? OFFSET ?',
      params: [20, 3],
    },
    'SQL file with named parameters: rows': {
      sql:
        'SELECT `t`.`id` AS `id`, `t`.`colour` AS `colour`, `t`.`price` AS `price`, `t`.`created` AS `created`, `t`.`scaled` AS `scaled` ' +
        'FROM (SELECT id, colour, price, created, price * CAST(? AS DOUBLE) AS scaled\nFROM <items>\n' +
        'WHERE created >= CAST(? AS DATE) AND active = CAST(? AS SIGNED) AND name <> ? -- :not_a_param\n) AS `t` ' +
        'WHERE (`t`.`colour` IN (?)) ORDER BY `id` IS NULL, `id` ASC, `colour` IS NULL, `colour` ASC, `price` IS NULL, `price` ASC, ' +
        '`created` IS NULL, `created` ASC, `scaled` IS NULL, `scaled` ASC LIMIT ?',
      params: [2.5, '2020-06-01', true, "item 2'; DROP TABLE x; --", 'blue', 5],
    },
  },
};
