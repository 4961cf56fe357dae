import { describe, expect, test } from 'vitest';
import type { Column, Dataset, Measure } from '../config/project/project.types.js';
import { compileDescribe, compilePlan } from './compiler.js';
import type { SqlDialect } from './dialect.js';
import { duckdbDialect } from './engines/duckdb/index.js';
import { mariadbDialect, mysqlDialect } from './engines/mysql/index.js';
import { postgresDialect } from './engines/postgres/index.js';
import { PREPARE_ONLY_TENANT, tenantId, type QueryPlan, type TenantId } from './plan.js';

/**
 * The tenant predicate sits innermost in every plan kind on every dialect: directly on the table (or
 * inside the SQL file through :tenant, and again on its result), so no outer filter, group, window or
 * count ever sees another tenant's row. Runs without a database: it checks the statements' shape
 * and the bound values; the inject() property test checks the rows.
 */
const col = (name: string, type: Column['type']): [string, Column] => [name, { name, type, label: name }];
const measure = (name: string, m: Partial<Measure>): [string, Measure] => [name, { name, label: name, ...m }];

const orders: Dataset = {
  id: 'orders',
  file: 'datasets/orders.yaml',
  title: 'Orders',
  source: 'main',
  from: { kind: 'table', table: 'orders' },
  params: new Map(),
  tenancy: { kind: 'tenant', column: 'org' },
  freshness: 'medium',
  columns: new Map([
    col('org', 'string'),
    col('status', 'string'),
    col('amount', 'number'),
    col('placed', 'date'),
  ]),
  measures: new Map([
    measure('count', { agg: 'count' }),
    measure('total', { agg: 'sum', column: 'amount' }),
    measure('median_amount', { agg: 'median', column: 'amount' }),
  ]),
};
const ranked: Dataset = {
  ...orders,
  id: 'ranked',
  file: 'datasets/ranked.yaml',
  from: {
    kind: 'sql',
    file: 'sql/ranked.sql',
    text: 'SELECT org, status, amount, placed FROM orders WHERE org = :tenant AND amount > :min;',
  },
  params: new Map([['min', { type: 'number', value: 5 }]]),
};
const shared: Dataset = {
  ...orders,
  id: 'rates',
  tenancy: { kind: 'shared' },
  from: { kind: 'table', table: 'rates' },
};

const T = tenantId('atlas');
const plans = (dataset: string, tenant: TenantId): Record<string, QueryPlan> => ({
  table: {
    kind: 'rows',
    dataset,
    tenant,
    columns: ['org', 'status'],
    filters: [],
    sort: [],
    limit: 10,
    offset: 20,
  },
  count: { kind: 'count', dataset, tenant, filters: [{ kind: 'in', column: 'status', values: ['open'] }] },
  'grouped count': { kind: 'count', dataset, tenant, filters: [], groupBy: [{ column: 'status' }] },
  options: {
    kind: 'aggregate',
    dataset,
    tenant,
    dimensions: [{ column: 'status' }],
    measures: ['count'],
    filters: [
      { kind: 'null', column: 'status', negate: true },
      { kind: 'contains', columns: ['status'], text: 'op' },
    ],
    sort: [{ key: 'count', direction: 'desc' }],
    limit: 11,
  },
  median: {
    kind: 'aggregate',
    dataset,
    tenant,
    dimensions: [{ column: 'placed', grain: 'month' }],
    measures: ['median_amount'],
    filters: [],
    sort: [],
  },
  histogram: { kind: 'histogram', dataset, tenant, column: 'amount', bins: 5, filters: [] },
});

const DIALECTS: [string, SqlDialect][] = [
  ['duckdb', duckdbDialect],
  ['postgres', postgresDialect],
  ['mysql', mysqlDialect],
  ['mariadb', mariadbDialect],
];

/** The innermost FROM item: the scoped subquery, and nothing of the outer query before it. */
function innermost(d: SqlDialect, source: string, bound: string): string {
  const q = d.quoteIdentifier;
  return `(SELECT * FROM ${source} AS ${q('tenant_rows')} WHERE ${q('tenant_rows')}.${q('org')} = ${bound}) AS ${q('t')}`;
}

describe.each(DIALECTS)('tenant scoping on %s', (_name, d) => {
  const cast = (i: number) => d.castParameter(d.placeholder(i), 'string');

  test.each(Object.entries(plans('orders', T)))(
    'table dataset, %s plan: the predicate is innermost',
    (_k, plan) => {
      const q = compilePlan(plan, orders, d, { maxRows: 100 });
      const scoped = innermost(d, d.quoteIdentifier('orders'), cast(1));
      expect(q.sql).toContain(scoped);
      // The table is never read any other way, and the tenant is the first value bound.
      expect(q.sql.split(d.quoteIdentifier('orders')).length - 1).toBe(1);
      expect(q.params[0]).toBe('atlas');
      expect(q.params.filter((p) => p === 'atlas')).toHaveLength(1);
    },
  );

  test.each(Object.entries(plans('ranked', T)))(
    'SQL dataset, %s plan: :tenant is bound inside the SQL and the result is scoped again',
    (_k, plan) => {
      const q = compilePlan(plan, ranked, d, { maxRows: 100 });
      const inner = `(SELECT org, status, amount, placed FROM orders WHERE org = ${cast(1)} AND amount > ${d.castParameter(d.placeholder(2), 'number')})`;
      expect(q.sql).toContain(innermost(d, inner, cast(3)));
      expect(q.params.slice(0, 3)).toEqual(['atlas', 5, 'atlas']);
      expect(q.sql).not.toContain(':tenant');
    },
  );

  test('the tenant is a bound value, never SQL text', () => {
    const q = compilePlan(plans('orders', tenantId('o-brien'))['count'] as QueryPlan, orders, d, {
      maxRows: 1,
    });
    expect(q.sql).not.toContain('o-brien');
    expect(q.params).toContain('o-brien');
  });

  test('a plan on a tenant dataset without a tenant does not compile', () => {
    for (const plan of Object.values(plans('orders', '' as TenantId)))
      expect(() => compilePlan(plan, orders, d, { maxRows: 1 })).toThrow(/needs the session's tenant/);
    const untyped = { ...plans('orders', T)['table'] } as Record<string, unknown>;
    delete untyped['tenant'];
    expect(() => compilePlan(untyped as unknown as QueryPlan, orders, d, { maxRows: 1 })).toThrow(
      /needs the session's tenant/,
    );
  });

  test('shared datasets read the table as it is, whatever the tenant', () => {
    const q = compilePlan(plans('rates', T)['count'] as QueryPlan, shared, d, { maxRows: 1 });
    expect(q.sql).toContain(`FROM ${d.quoteIdentifier('rates')} AS ${d.quoteIdentifier('t')}`);
    expect(q.params).not.toContain('atlas');
  });

  test('describe (prepared at start-up, no session) is scoped to a tenant no organisation can have', () => {
    const q = compileDescribe(orders, d);
    expect(q.sql).toContain(innermost(d, d.quoteIdentifier('orders'), cast(1)));
    expect(q.params[0]).toBe(PREPARE_ONLY_TENANT);
    expect(() => tenantId(PREPARE_ONLY_TENANT)).toThrow();
  });
});

test('tenant ids are organisation slugs only', () => {
  expect(tenantId('beacon-health')).toBe('beacon-health');
  for (const bad of ['', 'Atlas', 'a b', "x' OR '1'='1", '-x', 'x-', '*shared*'])
    expect(() => tenantId(bad)).toThrow(/not a tenant slug/);
});
