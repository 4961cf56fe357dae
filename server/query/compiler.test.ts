import { describe, expect, test } from 'vitest';
import type { Column, Dataset, Measure } from '../config/project/project.types.js';
import { compileDescribe, compilePlan } from './compiler.js';
import { escapeLike } from './dialect.js';
import { duckdbDialect } from './engines/duckdb/index.js';
import { tenantId, type QueryPlan } from './plan.js';

const T = tenantId('acme');

const col = (name: string, type: Column['type'], sql?: string): [string, Column] => [
  name,
  { name, type, label: name, ...(sql ? { sql } : {}) },
];
const measure = (name: string, m: Partial<Measure>): [string, Measure] => [name, { name, label: name, ...m }];

const studies: Dataset = {
  id: 'studies',
  file: 'datasets/studies.yaml',
  title: 'Studies',
  source: 'main',
  from: { kind: 'table', table: 'studies' },
  params: new Map(),
  tenancy: { kind: 'shared' },
  freshness: 'medium',
  columns: new Map([
    col('status', 'string'),
    col('phase', 'string'),
    col('start_date', 'date'),
    col('updated_at', 'timestamp'),
    col('enrollment', 'number'),
    col('title', 'string'),
    col('start_year', 'number', 'year(start_date)'),
  ]),
  measures: new Map([
    measure('count', { agg: 'count' }),
    measure('total', { agg: 'sum', column: 'enrollment' }),
    measure('median_enrollment', { agg: 'median', column: 'enrollment' }),
    measure('sponsors', { agg: 'count_distinct', column: 'title' }),
    measure('completed_share', { sql: "avg(CASE WHEN status = 'COMPLETED' THEN 1.0 ELSE 0.0 END)" }),
  ]),
};

const compile = (plan: QueryPlan, ds: Dataset = studies) =>
  compilePlan(plan, ds, duckdbDialect, { maxRows: 100 });

describe('compilePlan (DuckDB dialect)', () => {
  test('a KPI: one measure, no dimensions, capped at maxRows + 1', () => {
    expect(
      compile({
        kind: 'aggregate',
        dataset: 'studies',
        tenant: T,
        dimensions: [],
        measures: ['total'],
        filters: [],
        sort: [],
      }),
    ).toEqual({
      sql: 'SELECT sum("t"."enrollment") AS "total" FROM "studies" AS "t" LIMIT $1',
      params: [101],
    });
  });

  test('grouped by a dimension, filtered by IN, sorted by a measure with dimension tie-break, top-N', () => {
    const q = compile({
      kind: 'aggregate',
      dataset: 'studies',
      tenant: T,
      dimensions: [{ column: 'status' }],
      measures: ['count'],
      filters: [{ kind: 'in', column: 'phase', values: ['PHASE1', 'PHASE2'] }],
      sort: [{ key: 'count', direction: 'desc' }],
      limit: 20,
    });
    expect(q.sql).toBe(
      'SELECT "t"."status" AS "status", count(*) AS "count" FROM "studies" AS "t" ' +
        'WHERE ("t"."phase" IN (CAST($1 AS VARCHAR), CAST($2 AS VARCHAR))) GROUP BY 1 ' +
        'ORDER BY "count" DESC NULLS LAST, "status" ASC NULLS LAST LIMIT $3',
    );
    expect(q.params).toEqual(['PHASE1', 'PHASE2', 20]);
  });

  test('time grain, date range and number range become casts of bound values', () => {
    const q = compile({
      kind: 'aggregate',
      dataset: 'studies',
      tenant: T,
      dimensions: [{ column: 'start_date', grain: 'month' }],
      measures: ['count', 'median_enrollment'],
      filters: [
        { kind: 'compare', column: 'start_date', op: '>=', value: '2020-01-01' },
        { kind: 'compare', column: 'start_date', op: '<=', value: '2020-12-31' },
        { kind: 'compare', column: 'enrollment', op: '>=', value: 10 },
      ],
      sort: [{ key: 'start_date', direction: 'asc' }],
    });
    expect(q.sql).toBe(
      `SELECT CAST(date_trunc('month', "t"."start_date") AS DATE) AS "start_date", count(*) AS "count", median("t"."enrollment") AS "median_enrollment" ` +
        'FROM "studies" AS "t" WHERE ("t"."start_date" >= CAST($1 AS DATE)) AND ("t"."start_date" <= CAST($2 AS DATE)) AND ("t"."enrollment" >= CAST($3 AS DOUBLE)) ' +
        'GROUP BY 1 ORDER BY "start_date" ASC NULLS LAST LIMIT $4',
    );
    expect(q.params).toEqual(['2020-01-01', '2020-12-31', 10, 101]);
  });

  test('text contains: the pattern is bound and its wildcards are escaped, never spliced', () => {
    const hostile = `50%_off' OR 1=1; --\\`;
    const q = compile({
      kind: 'count',
      dataset: 'studies',
      tenant: T,
      filters: [{ kind: 'contains', columns: ['title'], text: hostile }],
    });
    expect(q.sql).toBe(
      `SELECT count(*) AS "count" FROM "studies" AS "t" WHERE ("t"."title" ILIKE $1 ESCAPE '\\')`,
    );
    expect(q.params).toEqual(["%50\\%\\_off' OR 1=1; --\\\\%"]);
    expect(q.sql).not.toContain('OR 1=1');
  });

  test('contains over a non-text column casts the column to text', () => {
    const q = compile({
      kind: 'count',
      dataset: 'studies',
      tenant: T,
      filters: [{ kind: 'contains', columns: ['enrollment'], text: '12' }],
    });
    expect(q.sql).toContain(`CAST("t"."enrollment" AS VARCHAR) ILIKE $1 ESCAPE '\\'`);
  });

  test('an empty IN list matches nothing rather than producing invalid SQL', () => {
    const q = compile({
      kind: 'count',
      dataset: 'studies',
      tenant: T,
      filters: [{ kind: 'in', column: 'status', values: [] }],
    });
    expect(q.sql).toBe('SELECT count(*) AS "count" FROM "studies" AS "t" WHERE (1 = 0)');
  });

  test('null filters and computed columns and SQL measures from the project', () => {
    const q = compile({
      kind: 'aggregate',
      dataset: 'studies',
      tenant: T,
      dimensions: [{ column: 'start_year' }],
      measures: ['completed_share', 'sponsors'],
      filters: [{ kind: 'null', column: 'phase', negate: true }],
      sort: [],
      limit: 5,
    });
    expect(q.sql).toBe(
      `SELECT (year(start_date)) AS "start_year", (avg(CASE WHEN status = 'COMPLETED' THEN 1.0 ELSE 0.0 END)) AS "completed_share", count(DISTINCT "t"."title") AS "sponsors" ` +
        'FROM "studies" AS "t" WHERE ("t"."phase" IS NOT NULL) GROUP BY 1 ORDER BY "start_year" ASC NULLS LAST LIMIT $1',
    );
  });

  test('a page of rows: sort column first, every listed column as tie-break, bound limit and offset', () => {
    const q = compile({
      kind: 'rows',
      dataset: 'studies',
      tenant: T,
      columns: ['title', 'status'],
      filters: [{ kind: 'compare', column: 'updated_at', op: '<', value: '2021-01-02' }],
      sort: [{ key: 'status', direction: 'desc' }],
      limit: 25,
      offset: 50,
    });
    expect(q.sql).toBe(
      'SELECT "t"."title" AS "title", "t"."status" AS "status" FROM "studies" AS "t" WHERE ("t"."updated_at" < CAST($1 AS TIMESTAMP)) ' +
        'ORDER BY "status" DESC NULLS LAST, "title" ASC NULLS LAST LIMIT $2 OFFSET $3',
    );
    expect(q.params).toEqual(['2021-01-02', 25, 50]);
  });

  test('row pages never exceed maxRows + 1 even if asked', () => {
    const q = compile({
      kind: 'rows',
      dataset: 'studies',
      tenant: T,
      columns: ['title'],
      filters: [],
      sort: [],
      limit: 5000,
      offset: 0,
    });
    expect(q.params).toEqual([101]);
  });

  test('count of groups for a grouped table total', () => {
    const q = compile({
      kind: 'count',
      dataset: 'studies',
      tenant: T,
      filters: [],
      groupBy: [{ column: 'status' }, { column: 'start_date', grain: 'year' }],
    });
    expect(q.sql).toBe(
      `SELECT count(*) AS "count" FROM (SELECT "t"."status" AS "status", CAST(date_trunc('year', "t"."start_date") AS DATE) AS "start_date" FROM "studies" AS "t" GROUP BY 1, 2) AS "g"`,
    );
  });

  test('histogram: bins bound, NULLs excluded, filters applied inside the base', () => {
    const q = compile({
      kind: 'histogram',
      dataset: 'studies',
      tenant: T,
      column: 'enrollment',
      bins: 30,
      filters: [{ kind: 'in', column: 'status', values: ['X'] }],
    });
    expect(q.sql).toContain(
      'FROM "studies" AS "t" WHERE ("t"."status" IN (CAST($1 AS VARCHAR))) AND ("t"."enrollment" IS NOT NULL)',
    );
    expect(q.params).toEqual(['X', 30, 29, 30, 30]);
    expect(q.sql).not.toMatch(/\b30\b/);
  });

  test('SQL datasets: named parameters become typed placeholders, numbered before the filters', () => {
    const ds: Dataset = {
      ...studies,
      id: 'scored',
      from: {
        kind: 'sql',
        file: 'sql/scored.sql',
        text: "SELECT *, enrollment / :benchmark AS rate, '::not_a_param' AS s, x::DOUBLE AS d FROM studies -- :nor_this\n;",
      },
      params: new Map([['benchmark', { type: 'number', value: 10 }]]),
    };
    const q = compile(
      {
        kind: 'count',
        dataset: 'scored',
        tenant: T,
        filters: [{ kind: 'in', column: 'status', values: ['A'] }],
      },
      ds,
    );
    expect(q.sql).toBe(
      `SELECT count(*) AS "count" FROM (SELECT *, enrollment / CAST($1 AS DOUBLE) AS rate, '::not_a_param' AS s, x::DOUBLE AS d FROM studies -- :nor_this\n) AS "t" WHERE ("t"."status" IN (CAST($2 AS VARCHAR)))`,
    );
    expect(q.params).toEqual([10, 'A']);
  });

  test('names the dataset does not declare are refused (services validate first; this is the backstop)', () => {
    expect(() =>
      compile({
        kind: 'count',
        dataset: 'studies',
        tenant: T,
        filters: [{ kind: 'in', column: 'password', values: ['x'] }],
      }),
    ).toThrow(/unknown column/);
    expect(() =>
      compile({
        kind: 'aggregate',
        dataset: 'studies',
        tenant: T,
        dimensions: [],
        measures: ['drop_table'],
        filters: [],
        sort: [],
      }),
    ).toThrow(/unknown measure/);
    expect(() =>
      compile({
        kind: 'rows',
        dataset: 'studies',
        tenant: T,
        columns: ['title'],
        filters: [],
        sort: [{ key: 'status', direction: 'asc' }],
        limit: 1,
        offset: 0,
      }),
    ).toThrow(/not in the select list/);
  });

  test('describe query reads no rows', () => {
    expect(compileDescribe(studies, duckdbDialect)).toEqual({
      sql: 'SELECT * FROM "studies" AS "t" LIMIT $1',
      params: [0],
    });
  });
});

test('a dialect whose median is a window function gets it from a filtered subquery, one value per group', () => {
  const windowDialect = {
    ...duckdbDialect,
    medianOver: (e: string, partition: readonly string[]) =>
      `MEDIAN(${e}) OVER (${partition.length ? `PARTITION BY ${partition.join(', ')}` : ''})`,
  };
  const q = compilePlan(
    {
      kind: 'aggregate',
      dataset: 'studies',
      tenant: T,
      dimensions: [{ column: 'start_date', grain: 'year' }],
      measures: ['count', 'median_enrollment'],
      filters: [{ kind: 'in', column: 'status', values: ['X'] }],
      sort: [{ key: 'median_enrollment', direction: 'desc' }],
    },
    studies,
    windowDialect,
    { maxRows: 100 },
  );
  expect(q.sql).toBe(
    `SELECT CAST(date_trunc('year', "t"."start_date") AS DATE) AS "start_date", count(*) AS "count", max("t"."trellis_median_0") AS "median_enrollment" ` +
      `FROM (SELECT "t".*, MEDIAN("t"."enrollment") OVER (PARTITION BY CAST(date_trunc('year', "t"."start_date") AS DATE)) AS "trellis_median_0" ` +
      `FROM "studies" AS "t" WHERE ("t"."status" IN (CAST($1 AS VARCHAR)))) AS "t" ` +
      'GROUP BY 1 ORDER BY "median_enrollment" DESC NULLS LAST, "start_date" ASC NULLS LAST LIMIT $2',
  );
  expect(q.params).toEqual(['X', 101]);
});

test('escapeLike escapes the escape character first', () => {
  expect(escapeLike('a\\%b_c')).toBe('a\\\\\\%b\\_c');
});

describe('schema-qualified tables', () => {
  const inSchema = (table: string): Dataset => ({ ...studies, from: { kind: 'table', table } });
  const plan: QueryPlan = {
    kind: 'aggregate',
    dataset: 'studies',
    tenant: T,
    dimensions: [],
    measures: ['count'],
    filters: [],
    sort: [],
  };
  test('each part is quoted by the dialect: "public"."sales", `public`.`sales`, "cat"."main"."sales"', () => {
    // The dialect's own quoting, whatever it is (backticks stand in for MySQL's here).
    const backticks = { ...duckdbDialect, quoteIdentifier: (n: string) => `\`${n.replace(/`/g, '``')}\`` };
    expect(compile(plan, inSchema('public.sales')).sql).toContain('FROM "public"."sales" AS "t"');
    expect(compilePlan(plan, inSchema('shop.sales'), backticks, { maxRows: 10 }).sql).toContain(
      'FROM `shop`.`sales` AS `t`',
    );
    expect(compile(plan, inSchema('cat.main.sales')).sql).toContain('FROM "cat"."main"."sales" AS "t"');
  });
});
