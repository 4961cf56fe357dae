import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ROLES } from '../../../contract/index.js';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import {
  ALL_REGIONS,
  ALL_STATUSES,
  ORDER_ROWS,
  TENANTS,
  createTenantFixture,
  type Engine,
  type OrderRow,
  type TenantFixture,
} from '../../../test/tenant-fixture.js';
import { serviceGate } from '../../../test/test-services.js';

/**
 * Acceptance of the tenants issue: over inject(), random users (three organisations × three roles),
 * dashboards, filters, table pages and sorts, filter options with searches and cache states, on
 * DuckDB, PostgreSQL and MariaDB. Every case asks the same thing twice, first as one user and right
 * after as another — so the second request meets the cache entry and the (single) pooled connection
 * the first one just used — and now and then the datasets are invalidated. Every returned row must
 * carry the caller's tenant and every count must equal the count of the caller's own rows in a model
 * of the data; every filter option must be one of the caller's values with the caller's count.
 */
const pg = await serviceGate('postgres', 'the tenant-isolation property test on PostgreSQL');
const my = await serviceGate('mysql', 'the tenant-isolation property test on MariaDB');

/** ≥ 10,000 cases over the three engines (each case is two requests by two users). */
const RUNS_PER_ENGINE = 3_400;
const ENGINES: { engine: Engine; available: boolean; url: string }[] = [
  { engine: 'duckdb', available: true, url: '' },
  { engine: 'postgres', available: pg.available, url: pg.url },
  { engine: 'mysql', available: my.available, url: my.url },
];

type Role = (typeof ROLES)[number];
const ROLE_LIST: readonly Role[] = ['viewer', 'editor', 'admin'];

interface Filters {
  region?: string[];
  status?: string[];
  placed?: { from?: string; to?: string };
  amount?: { min?: number; max?: number };
  q?: string;
}
type Request =
  | { kind: 'widget'; dashboard: 'ops' | 'admin'; widget: string; body: WidgetBody }
  | {
      kind: 'options';
      dashboard: 'ops' | 'admin';
      filter: 'region' | 'status';
      search: string;
      limit: number;
    }
  | { kind: 'list' };
interface WidgetBody {
  filters: Filters;
  page?: { offset: number; limit: number };
  sort?: { column: string; direction: 'asc' | 'desc' };
}

const TABLE_COLUMNS: Record<string, readonly string[]> = {
  'ops/list': ['id', 'org', 'region', 'status', 'amount', 'placed'],
  'ops/grouped': ['org', 'region', 'count', 'total_amount'],
  'ops/lines': ['id', 'org', 'status', 'amount'],
  'admin/list': ['id', 'org', 'region'],
};
const WIDGETS: Record<'ops' | 'admin', readonly string[]> = {
  ops: ['total', 'by_org', 'list', 'grouped', 'amounts', 'lines', 'lines_total'],
  admin: ['total', 'list'],
};

const day = fc
  .integer({ min: 0, max: 364 })
  .map((d) => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
const text = fc.constantFrom('o', 'op', 'e', 'LE', 'pen', 'x', 'ea', 'CLO');
const filters: fc.Arbitrary<Filters> = fc.record(
  {
    region: fc.subarray(ALL_REGIONS, { minLength: 1, maxLength: 3 }),
    status: fc.subarray(ALL_STATUSES, { minLength: 1, maxLength: 3 }),
    // Ordered ranges: from ≤ to and min ≤ max (the server refuses the others, tested elsewhere).
    placed: fc
      .record({ from: day, to: day }, { requiredKeys: [] })
      .map((p) => (p.from && p.to && p.from > p.to ? { from: p.to, to: p.from } : p)),
    amount: fc
      .record(
        { min: fc.integer({ min: 0, max: 250 }), max: fc.integer({ min: 0, max: 250 }) },
        { requiredKeys: [] },
      )
      .map((a) =>
        a.min !== undefined && a.max !== undefined && a.min > a.max ? { min: a.max, max: a.min } : a,
      ),
    q: text,
  },
  { requiredKeys: [] },
);
/** Often no filter at all: unfiltered answers carry the most rows a leak could hide in. */
const someFilters = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Filters>({}) },
  { weight: 3, arbitrary: filters },
);
const widgetRequest: fc.Arbitrary<Request> = fc
  .constantFrom<'ops' | 'admin'>('ops', 'ops', 'ops', 'admin')
  .chain((dashboard) =>
    fc.constantFrom(...WIDGETS[dashboard]).chain((widget) => {
      const columns = TABLE_COLUMNS[`${dashboard}/${widget}`];
      const page = fc.record({
        offset: fc.integer({ min: 0, max: 260 }),
        limit: fc.integer({ min: 1, max: 50 }),
      });
      const sort = columns
        ? fc.option(
            fc.record({
              column: fc.constantFrom(...columns),
              direction: fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
            }),
            { nil: undefined },
          )
        : fc.constant(undefined);
      const paging = columns ? fc.option(page, { nil: undefined }) : fc.constant(undefined);
      return fc.record({ filters: someFilters, page: paging, sort }).map((b): Request => {
        const body: WidgetBody = { filters: b.filters };
        if (b.page) body.page = b.page;
        if (b.sort) body.sort = b.sort;
        return { kind: 'widget', dashboard, widget, body };
      });
    }),
  );
const optionsRequest: fc.Arbitrary<Request> = fc.record({
  kind: fc.constant('options' as const),
  dashboard: fc.constantFrom<'ops' | 'admin'>('ops', 'ops', 'admin'),
  filter: fc.constantFrom<'region' | 'status'>('region', 'status'),
  search: fc.oneof(fc.constant(''), text),
  limit: fc.integer({ min: 1, max: 10 }),
});
const request = fc.oneof(
  { weight: 12, arbitrary: widgetRequest },
  { weight: 4, arbitrary: optionsRequest },
  { weight: 1, arbitrary: fc.constant<Request>({ kind: 'list' }) },
);
const user = fc.record({ tenant: fc.constantFrom(...TENANTS), role: fc.constantFrom(...ROLE_LIST) });
const testCase = fc.record({
  first: user,
  second: user,
  request,
  /** Invalidate both datasets first: the pair then starts cold. */
  invalidate: fc.integer({ min: 0, max: 29 }).map((n) => n === 0),
});

/** The caller's rows that the filters keep: what the server must answer from, and nothing else. */
function expectedRows(tenant: string, f: Filters, dashboard: 'ops' | 'admin'): OrderRow[] {
  return ORDER_ROWS.filter((r) => {
    if (r.org !== tenant) return false;
    if (f.region && !f.region.includes(r.region)) return false;
    // The admin dashboard has only the region filter: the others are unknown there (checked below).
    if (dashboard === 'admin') return true;
    if (f.status && !f.status.includes(r.status)) return false;
    if (f.placed?.from && r.placed < f.placed.from) return false;
    if (f.placed?.to && r.placed > f.placed.to) return false;
    if (f.amount?.min !== undefined && r.amount < f.amount.min) return false;
    if (f.amount?.max !== undefined && r.amount > f.amount.max) return false;
    if (f.q && !r.status.toLowerCase().includes(f.q.toLowerCase())) return false;
    return true;
  });
}

const stats = { requests: 0, rows: 0, options: 0, hidden: 0, cacheHits: 0 };

async function send(as: SignedIn, r: Request) {
  if (r.kind === 'list') return as.inject('/api/v1/dashboards');
  if (r.kind === 'options') {
    const search = r.search ? `&search=${encodeURIComponent(r.search)}` : '';
    return as.inject(
      `/api/v1/dashboards/${r.dashboard}/filters/${r.filter}/options?limit=${r.limit}${search}`,
    );
  }
  const body =
    r.dashboard === 'admin'
      ? { ...r.body, filters: r.body.filters.region ? { region: r.body.filters.region } : {} }
      : r.body;
  return widgetData(as, r.dashboard, r.widget, body);
}

/** Checks one answer against the model of the caller's own rows; a leak fails here. */
function check(as: SignedIn, r: Request, res: Awaited<ReturnType<typeof send>>): void {
  stats.requests++;
  const where = `${as.org}/${as.role} ${JSON.stringify(r)}: ${res.statusCode} ${res.body.slice(0, 400)}`;
  if (r.kind === 'list') {
    expect(res.statusCode, where).toBe(200);
    const ids = (res.json() as { dashboards: { id: string }[] }).dashboards.map((d) => d.id);
    expect(ids, where).toEqual(as.role === 'admin' ? ['admin', 'ops'] : ['ops']);
    return;
  }
  if (r.dashboard === 'admin' && as.role !== 'admin') {
    expect(res.statusCode, where).toBe(404);
    expect(res.json().error, where).toBe('DASHBOARD_NOT_FOUND');
    stats.hidden++;
    return;
  }
  if (r.kind === 'options') {
    if (r.dashboard === 'admin' && r.filter === 'status') {
      expect(res.statusCode, where).toBe(404);
      return;
    }
    expect(res.statusCode, where).toBe(200);
    const counts = new Map<string, number>();
    for (const row of ORDER_ROWS)
      if (row.org === as.org) {
        const value = r.filter === 'region' ? row.region : row.status;
        if (!r.search || value.toLowerCase().includes(r.search.toLowerCase()))
          counts.set(value, (counts.get(value) ?? 0) + 1);
      }
    const body = res.json() as { options: { value: string; count: number }[]; more: boolean };
    for (const o of body.options) {
      expect(counts.get(o.value), `${where}: option ${o.value} is not the caller's`).toBe(o.count);
      stats.options++;
    }
    expect(body.options.length, where).toBe(Math.min(r.limit, counts.size));
    expect(body.more, where).toBe(counts.size > r.limit);
    return;
  }
  expect(res.statusCode, where).toBe(200);
  const data = res.json() as { rows: unknown[][]; total?: number; meta: { cache: string } };
  if (data.meta.cache === 'hit') stats.cacheHits++;
  const rows = expectedRows(as.org, r.body.filters, r.dashboard);
  const ids = new Set(rows.map((x) => x.id));
  const key = `${r.dashboard}/${r.widget}`;
  const orgIndex = key === 'ops/grouped' ? 0 : key === 'ops/by_org' ? 0 : 1;
  switch (key) {
    case 'ops/total':
    case 'ops/lines_total':
    case 'admin/total':
      expect(data.rows, where).toEqual([[rows.length]]);
      return;
    case 'ops/amounts':
      expect(
        data.rows.reduce((n, x) => n + Number(x[3]), 0),
        where,
      ).toBe(rows.length);
      return;
    case 'ops/by_org':
      expect(data.rows.length, where).toBe(rows.length ? 1 : 0);
      break;
    case 'ops/grouped':
      expect(data.total, where).toBe(new Set(rows.map((x) => x.region)).size);
      break;
    default: {
      expect(data.total, where).toBe(rows.length);
      const page = r.body.page ?? { offset: 0, limit: r.dashboard === 'admin' ? 10 : 20 };
      expect(data.rows.length, where).toBe(Math.max(0, Math.min(page.limit, rows.length - page.offset)));
      for (const row of data.rows) expect(ids.has(Number(row[0])), `${where}: row ${row[0]}`).toBe(true);
    }
  }
  for (const row of data.rows) {
    expect(row[orgIndex], `${where}: a row of ${String(row[orgIndex])}`).toBe(as.org);
    stats.rows++;
  }
  if (key === 'ops/by_org' && rows.length) expect(data.rows[0]?.[1], where).toBe(rows.length);
}

describe.each(ENGINES.filter((e) => e.available))('tenant isolation on $engine', ({ engine, url }) => {
  let fixture: TenantFixture;
  let app: TestApp;
  let close: (() => Promise<void>) | undefined;
  const users = new Map<string, SignedIn>();

  beforeAll(async () => {
    fixture = await createTenantFixture(engine, url);
    ({ app, close } = await startApp(fixture.dir, { environment: fixture.environment }));
    for (const tenant of TENANTS)
      for (const role of ROLE_LIST) users.set(`${tenant}/${role}`, await loginAs(app, { org: tenant, role }));
  }, 120_000);
  afterAll(async () => {
    await close?.();
    await fixture?.teardown();
  });

  test(`${RUNS_PER_ENGINE} cases, each asked by two users back to back: 0 rows or options of another tenant`, async () => {
    const before = { ...stats };
    await fc.assert(
      fc.asyncProperty(testCase, async (c) => {
        if (c.invalidate) await app.services.runner.invalidate(['orders', 'order_lines']);
        const a = users.get(`${c.first.tenant}/${c.first.role}`);
        const b = users.get(`${c.second.tenant}/${c.second.role}`);
        if (!a || !b) throw new Error('unknown test user');
        check(a, c.request, await send(a, c.request));
        check(b, c.request, await send(b, c.request));
      }),
      { numRuns: RUNS_PER_ENGINE, seed: 4_2026, endOnFailure: true },
    );
    const rows = stats.rows - before.rows;
    const hits = stats.cacheHits - before.cacheHits;
    console.log(
      `tenant isolation on ${engine}: ${stats.requests - before.requests} requests, ${rows} rows and ` +
        `${stats.options - before.options} options checked, ${stats.hidden - before.hidden} hidden-dashboard answers, ${hits} cache hits`,
    );
    // The property must have looked at real rows, options, hidden dashboards and warm cache entries.
    expect(rows).toBeGreaterThan(RUNS_PER_ENGINE / 4);
    expect(stats.options - before.options).toBeGreaterThan(RUNS_PER_ENGINE / 4);
    expect(stats.hidden - before.hidden).toBeGreaterThan(100);
    expect(hits).toBeGreaterThan(RUNS_PER_ENGINE / 10);
  }, 600_000);
});
