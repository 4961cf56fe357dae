import type { Column, Dataset, Measure } from '../../server/config/project/project.types.js';
import { tenantId, type QueryPlan } from '../../server/query/plan.js';
import type { FixtureTables } from '../engine-fixture.js';

/**
 * The datasets and plans of the engine contract suite: every plan kind and every dialect hook
 * (grains, contains with wildcards and quotes, NULLs, casts, median, count_distinct, SQL files with
 * named parameters), written once and run on every engine.
 */
const col = (name: string, type: Column['type'], sql?: string): [string, Column] => [
  name,
  { name, type, label: name, ...(sql ? { sql } : {}) },
];
const measure = (name: string, m: Partial<Measure>): [string, Measure] => [name, { name, label: name, ...m }];

export function contractDatasets(t: FixtureTables): Map<string, Dataset> {
  const base = {
    title: 'x',
    source: 'main',
    params: new Map(),
    freshness: 'medium' as const,
    tenancy: { kind: 'shared' } as const,
  };
  const items: Dataset = {
    ...base,
    id: 'items',
    file: 'datasets/items.yaml',
    from: { kind: 'table', table: t.items },
    columns: new Map([
      col('id', 'number'),
      col('name', 'string'),
      col('colour', 'string'),
      col('created', 'date'),
      col('updated_at', 'timestamp'),
      col('price', 'number'),
      col('qty', 'number'),
      col('score', 'number'),
      col('active', 'boolean'),
      col('year_created', 'number', 'EXTRACT(YEAR FROM created)'),
    ]),
    measures: new Map([
      measure('count', { agg: 'count' }),
      measure('revenue', { agg: 'sum', column: 'price' }),
      measure('avg_price', { agg: 'avg', column: 'price' }),
      measure('median_price', { agg: 'median', column: 'price' }),
      measure('median_score', { agg: 'median', column: 'score' }),
      measure('colours', { agg: 'count_distinct', column: 'colour' }),
      measure('max_created', { agg: 'max', column: 'created' }),
      measure('min_updated', { agg: 'min', column: 'updated_at' }),
      measure('total_qty', { agg: 'sum', column: 'qty' }),
      measure('avg_qty', { agg: 'avg', column: 'qty' }),
      measure('priced', { agg: 'count', column: 'price' }),
      measure('active_count', { sql: 'sum(CASE WHEN active THEN 1 ELSE 0 END)' }),
    ]),
  };
  const scored: Dataset = {
    ...base,
    id: 'scored',
    file: 'datasets/scored.yaml',
    from: {
      kind: 'sql',
      file: 'sql/scored.sql',
      text:
        `SELECT id, colour, price, created, price * :factor AS scaled\n` +
        `FROM ${t.items}\nWHERE created >= :since AND active = :flag AND name <> :skip -- :not_a_param\n;`,
    },
    params: new Map([
      ['factor', { type: 'number', value: 2.5 }],
      ['since', { type: 'date', value: '2020-06-01' }],
      ['flag', { type: 'boolean', value: true }],
      ['skip', { type: 'string', value: "item 2'; DROP TABLE x; --" }],
    ]),
    columns: new Map([
      col('id', 'number'),
      col('colour', 'string'),
      col('price', 'number'),
      col('created', 'date'),
      col('scaled', 'number'),
    ]),
    measures: new Map([
      measure('count', { agg: 'count' }),
      measure('scaled_total', { agg: 'sum', column: 'scaled' }),
      measure('median_scaled', { agg: 'median', column: 'scaled' }),
    ]),
  };
  const canary: Dataset = {
    ...base,
    id: 'canary',
    file: 'datasets/canary.yaml',
    from: { kind: 'table', table: t.canary },
    columns: new Map([col('id', 'number'), col('note', 'string')]),
    measures: new Map([measure('count', { agg: 'count' })]),
  };
  return new Map([
    ['items', items],
    ['scored', scored],
    ['canary', canary],
  ]);
}

/** The contract datasets are shared: the tenant is carried (every plan has one) but filters nothing. */
export const CONTRACT_TENANT = tenantId('contract');

const ALL_COLUMNS = ['id', 'name', 'colour', 'created', 'updated_at', 'price', 'qty', 'score', 'active'];

const agg = (p: Partial<Extract<QueryPlan, { kind: 'aggregate' }>>): QueryPlan => ({
  kind: 'aggregate',
  dataset: 'items',
  tenant: CONTRACT_TENANT,
  dimensions: [],
  measures: ['count'],
  filters: [],
  sort: [],
  ...p,
});
const count = (filters: Extract<QueryPlan, { kind: 'count' }>['filters']): QueryPlan => ({
  kind: 'count',
  dataset: 'items',
  tenant: CONTRACT_TENANT,
  filters,
});

/** Every case runs on every engine; results must be equal (numbers within float noise). */
export const CONTRACT_PLANS: Record<string, QueryPlan> = {
  'KPI: every aggregate, no dimension': agg({
    measures: [
      'count',
      'revenue',
      'avg_price',
      'median_price',
      'median_score',
      'colours',
      'max_created',
      'min_updated',
      'total_qty',
      'avg_qty',
      'priced',
      'active_count',
    ],
  }),
  'by colour: IN with a quote, sorted by a measure, median per group': agg({
    dimensions: [{ column: 'colour' }],
    measures: ['count', 'revenue', 'median_price', 'median_score'],
    filters: [{ kind: 'in', column: 'colour', values: ['red', "o'brien", 'green'] }],
    sort: [{ key: 'count', direction: 'desc' }],
  }),
  'NULL group sorts last ascending': agg({
    dimensions: [{ column: 'colour' }],
    sort: [{ key: 'colour', direction: 'asc' }],
  }),
  'NULL group sorts last descending': agg({
    dimensions: [{ column: 'colour' }],
    measures: ['count', 'avg_qty'],
    sort: [{ key: 'colour', direction: 'desc' }],
  }),
  'month grain within a date range': agg({
    dimensions: [{ column: 'created', grain: 'month' }],
    measures: ['count', 'revenue'],
    filters: [
      { kind: 'compare', column: 'created', op: '>=', value: '2020-03-01' },
      { kind: 'compare', column: 'created', op: '<=', value: '2021-02-28' },
    ],
    sort: [{ key: 'created', direction: 'asc' }],
  }),
  'day grain': agg({ dimensions: [{ column: 'created', grain: 'day' }], limit: 40 }),
  'week grain (ISO, Monday)': agg({ dimensions: [{ column: 'created', grain: 'week' }] }),
  'quarter grain': agg({
    dimensions: [{ column: 'created', grain: 'quarter' }],
    measures: ['count', 'revenue'],
  }),
  'year grain, descending': agg({
    dimensions: [{ column: 'created', grain: 'year' }],
    sort: [{ key: 'created', direction: 'desc' }],
  }),
  'month grain of a timestamp': agg({
    dimensions: [{ column: 'updated_at', grain: 'month' }],
    measures: ['count', 'min_updated'],
  }),
  'median per year, filtered, sorted by the median': agg({
    dimensions: [{ column: 'created', grain: 'year' }],
    measures: ['median_price', 'count'],
    filters: [{ kind: 'compare', column: 'qty', op: '>', value: 2 }],
    sort: [{ key: 'median_price', direction: 'asc' }],
  }),
  'series: two dimensions': agg({
    dimensions: [{ column: 'colour' }, { column: 'created', grain: 'year' }],
    measures: ['count', 'total_qty'],
  }),
  'computed column as a dimension': agg({
    dimensions: [{ column: 'year_created' }],
    measures: ['count', 'revenue'],
  }),
  'top-N by a measure': agg({
    dimensions: [{ column: 'colour' }],
    measures: ['revenue'],
    sort: [{ key: 'revenue', direction: 'desc' }],
    limit: 2,
  }),
  'aggregate page with offset': agg({
    dimensions: [{ column: 'created', grain: 'year' }],
    sort: [{ key: 'created', direction: 'asc' }],
    limit: 2,
    offset: 1,
  }),
  'numbers: IN and ranges': count([
    { kind: 'in', column: 'qty', values: [1, 2, 3] },
    { kind: 'compare', column: 'price', op: '>=', value: 10.5 },
    { kind: 'compare', column: 'price', op: '<', value: 200 },
  ]),
  'boolean and timestamp compare': count([
    { kind: 'compare', column: 'active', op: '=', value: true },
    { kind: 'compare', column: 'updated_at', op: '<', value: '2020-03-01T12:00:00' },
  ]),
  'string <> excludes NULLs': count([{ kind: 'compare', column: 'colour', op: '<>', value: 'red' }]),
  'empty IN matches nothing': count([{ kind: 'in', column: 'colour', values: [] }]),
  'contains % literally': count([{ kind: 'contains', columns: ['name'], text: '50%' }]),
  'contains _ literally': count([{ kind: 'contains', columns: ['name'], text: 'f_s' }]),
  'contains a lone _ is not a wildcard': count([{ kind: 'contains', columns: ['name'], text: '_' }]),
  'contains a quote': count([{ kind: 'contains', columns: ['name'], text: "o'c" }]),
  'contains is case-insensitive': count([{ kind: 'contains', columns: ['colour'], text: "O'BR" }]),
  'contains a backslash': count([{ kind: 'contains', columns: ['name'], text: 'k\\s' }]),
  'contains over a number column': count([{ kind: 'contains', columns: ['id'], text: '12' }]),
  'contains over several columns': count([{ kind: 'contains', columns: ['name', 'colour'], text: 'RE' }]),
  'NULL filter': count([{ kind: 'null', column: 'colour', negate: false }]),
  'NOT NULL filter': count([{ kind: 'null', column: 'price', negate: true }]),
  'rows: sorted, paged with offset, every column type': {
    kind: 'rows',
    dataset: 'items',
    tenant: CONTRACT_TENANT,
    columns: ALL_COLUMNS,
    filters: [],
    sort: [{ key: 'price', direction: 'desc' }],
    limit: 10,
    offset: 5,
  },
  'rows: NULLs last, ties broken by the listed columns': {
    kind: 'rows',
    dataset: 'items',
    tenant: CONTRACT_TENANT,
    columns: ['id', 'colour', 'qty'],
    filters: [{ kind: 'null', column: 'qty', negate: false }],
    sort: [{ key: 'colour', direction: 'asc' }],
    limit: 20,
    offset: 3,
  },
  'rows: filtered by contains, newest first': {
    kind: 'rows',
    dataset: 'items',
    tenant: CONTRACT_TENANT,
    columns: ['id', 'name', 'created', 'updated_at', 'active'],
    filters: [{ kind: 'contains', columns: ['name'], text: 'off_' }],
    sort: [{ key: 'created', direction: 'desc' }],
    limit: 15,
    offset: 0,
  },
  'count: all rows': count([]),
  'count of groups': {
    kind: 'count',
    dataset: 'items',
    tenant: CONTRACT_TENANT,
    filters: [],
    groupBy: [{ column: 'colour' }, { column: 'created', grain: 'year' }],
  },
  'histogram of a DECIMAL column': {
    kind: 'histogram',
    dataset: 'items',
    tenant: CONTRACT_TENANT,
    column: 'price',
    bins: 10,
    filters: [],
  },
  'histogram of a DOUBLE column, filtered': {
    kind: 'histogram',
    dataset: 'items',
    tenant: CONTRACT_TENANT,
    column: 'score',
    bins: 7,
    filters: [{ kind: 'compare', column: 'active', op: '=', value: true }],
  },
  'SQL file with named parameters: grouped, with median': {
    kind: 'aggregate',
    dataset: 'scored',
    tenant: CONTRACT_TENANT,
    dimensions: [{ column: 'colour' }],
    measures: ['count', 'scaled_total', 'median_scaled'],
    filters: [],
    sort: [],
  },
  'SQL file with named parameters: rows': {
    kind: 'rows',
    dataset: 'scored',
    tenant: CONTRACT_TENANT,
    columns: ['id', 'colour', 'price', 'created', 'scaled'],
    filters: [{ kind: 'in', column: 'colour', values: ['blue'] }],
    sort: [{ key: 'id', direction: 'asc' }],
    limit: 5,
    offset: 0,
  },
};

/** Values an attacker might send; every one is bound, so each matches nothing and changes nothing. */
export const HOSTILE_VALUES = [
  "'; DROP TABLE canary; --",
  "x' OR '1'='1",
  '\\',
  "\\'; DELETE FROM canary; --",
  '%',
  '_',
  '`; DROP TABLE canary; --',
  '"; DROP TABLE canary; --',
  '$1',
  '?',
  ':skip',
  "'); TRUNCATE canary; --",
];
