import { randomBytes } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  DashboardDefinition,
  DashboardListResponse,
  FilterOptionsResponse,
  WidgetDataResponse,
} from '../../../contract/index.js';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { requireVmInventoryData, vmInventoryDb, vmInventoryDir } from '../../../test/paths.js';
import { serviceGate } from '../../../test/test-services.js';
import { loadVerifiedProject } from '../../../server/cli/load-verified-project.js';
import { loadProject } from '../../../server/config/project/load-project.js';
import { closeEngines } from '../../../server/query/engines/index.js';
import { generateInventory } from '../generator/generate-inventory.js';
import { loadPostgres } from '../generator/load-postgres.js';

/**
 * The vm-inventory example end to end through the API: every widget answers with data on its
 * DuckDB file; then the same data is loaded into a fresh PostgreSQL database, the source is moved
 * there with VM_INVENTORY_DATABASE_URL, and every widget (and a set of filtered, paged and sorted
 * requests) must answer the same.
 */
const pgGate = await serviceGate('postgres', 'vm-inventory on PostgreSQL (same answers as on DuckDB)');

type Request = { dashboard: string; widget: string; body: object };
type Answer = { status: number; body: WidgetDataResponse };

let app: TestApp;
let close: (() => Promise<void>) | undefined;
/** The demo's two organisations: Acme Cloud (iad1, ams1, sjc1, syd1) and Globex Hosting (fra1, lon1, sin1). */
let acme: SignedIn;
let globex: SignedIn;
let dashboards: DashboardDefinition[];
/** Every request below, answered on DuckDB, in order; PostgreSQL is held to the same answers. */
const requests: Request[] = [];
const onDuckdb = new Map<string, Answer>();
const key = (r: Request) => `${r.dashboard}/${r.widget} ${JSON.stringify(r.body)}`;

async function definitions(a: SignedIn): Promise<DashboardDefinition[]> {
  const list = (await a.inject({ url: '/api/v1/dashboards' })).json() as DashboardListResponse;
  return Promise.all(
    list.dashboards.map(
      async (d) => (await a.inject({ url: `/api/v1/dashboards/${d.id}` })).json() as DashboardDefinition,
    ),
  );
}

async function ask(a: SignedIn, r: Request): Promise<Answer> {
  const res = await widgetData(a, r.dashboard, r.widget, r.body);
  return { status: res.statusCode, body: res.json() as WidgetDataResponse };
}

async function data(dashboard: string, widget: string, body: object = { filters: {} }, as = acme) {
  const res = await widgetData(as, dashboard, widget, body);
  expect(res.statusCode, `${dashboard}/${widget}: ${res.body.slice(0, 300)}`).toBe(200);
  return res.json() as WidgetDataResponse;
}

beforeAll(async () => {
  requireVmInventoryData();
  // Not from the test process's environment: the DuckDB half must run on the file.
  ({ app, close } = await startApp(vmInventoryDir, { environment: {} }));
  acme = await loginAs(app, { org: 'acme', orgName: 'Acme Cloud', role: 'viewer' });
  globex = await loginAs(app, { org: 'globex', orgName: 'Globex Hosting', role: 'viewer' });
  dashboards = await definitions(acme);
  for (const d of dashboards)
    for (const w of d.widgets.filter((x) => x.type !== 'text'))
      requests.push({ dashboard: d.id, widget: w.id, body: { filters: {} } });
  // Filtered, paged and sorted variants: the parts where engines differ most (binding, LIKE-free
  // IN lists, date ranges, grains, NULL ordering, tie-breaks, OFFSET).
  const filtered: [string, object][] = [
    ['overview', { datacenter: ['fra1', 'syd1'], power_state: ['on'] }],
    ['overview', { created: { from: '2021-01-01', to: '2022-06-30' }, os_family: ['Windows', 'Unknown'] }],
    ['capacity', { purpose: ['prod', 'gpu'] }],
    ['capacity', { datacenter: ['iad1'] }],
    ['labels-quality', { label_key: ['owner', 'pci'], power_state: ['off', 'suspended'] }],
  ];
  for (const [dashboard, filters] of filtered)
    for (const w of dashboards.find((d) => d.id === dashboard)?.widgets ?? [])
      if (w.type !== 'text') requests.push({ dashboard, widget: w.id, body: { filters } });
  requests.push(
    {
      dashboard: 'capacity',
      widget: 'clusters',
      body: {
        filters: {},
        page: { offset: 15, limit: 15 },
        sort: { column: 'memory_ratio', direction: 'asc' },
      },
    },
    {
      dashboard: 'labels-quality',
      widget: 'problem_vms',
      body: { filters: {}, page: { offset: 30, limit: 15 }, sort: { column: 'owner', direction: 'asc' } },
    },
    {
      dashboard: 'labels-quality',
      widget: 'label_values',
      body: { filters: { datacenter: ['ams1'] }, page: { offset: 12, limit: 12 } },
    },
  );
  for (const r of requests) onDuckdb.set(key(r), await ask(acme, r));
});
afterAll(async () => close?.());

describe('vm-inventory example on DuckDB', () => {
  test('has the three dashboards, in order, and the data hall (newer charts) last', () => {
    expect(dashboards.map((d) => d.title)).toEqual([
      'Overview',
      'Capacity',
      'Labels & data quality',
      'Data hall',
    ]);
  });

  test('every widget of every dashboard returns rows, filtered or not', () => {
    let widgets = 0;
    for (const r of requests) {
      const a = onDuckdb.get(key(r));
      expect(a?.status, `${key(r)}: ${JSON.stringify(a?.body).slice(0, 300)}`).toBe(200);
      if (JSON.stringify(r.body) === '{"filters":{}}') {
        expect(a?.body.rows.length, key(r)).toBeGreaterThan(0);
        widgets++;
      }
    }
    expect(widgets).toBeGreaterThanOrEqual(30);
  });

  test('datasets use different freshness tiers', async () => {
    const loaded = await loadProject(vmInventoryDir);
    if (!loaded.ok) throw new Error('project did not load');
    const tiers = Object.fromEntries([...loaded.project.datasets.values()].map((d) => [d.id, d.freshness]));
    expect(tiers).toEqual({
      cluster_capacity: '15m',
      data_quality: 'live',
      datacenters: 'long',
      hosts: '1h',
      power_states: 'short',
      vm_labels: 'medium',
      vms: 'medium',
    });
  });

  test('KPIs agree with the charts they summarise, and filters narrow them', async () => {
    const total = Number((await data('overview', 'vms')).rows[0]?.[0]);
    expect(total).toBeGreaterThanOrEqual(5_000);
    const byDc = (await data('overview', 'by_datacenter')).rows; // datacenter, power_state, vms
    expect(byDc.reduce((n, r) => n + Number(r[2]), 0)).toBe(total);
    const ams1 = byDc.filter((r) => r[0] === 'ams1').reduce((n, r) => n + Number(r[2]), 0);
    expect(ams1).toBeGreaterThan(0);
    expect(Number((await data('overview', 'vms', { filters: { datacenter: ['ams1'] } })).rows[0]?.[0])).toBe(
      ams1,
    );
    const pie = (await data('overview', 'by_power_state')).rows;
    expect(pie.map((r) => r[0]).sort()).toEqual(['off', 'on', 'suspended']);
    const on = Number(pie.find((r) => r[0] === 'on')?.[1]);
    expect(Number((await data('overview', 'powered_on')).rows[0]?.[0])).toBeCloseTo(on / total, 12);
    const options = async (as: SignedIn) =>
      (
        (
          await as.inject({ url: '/api/v1/dashboards/overview/filters/datacenter/options' })
        ).json() as FilterOptionsResponse
      ).options
        .map((o) => o.value)
        .sort();
    // Each organisation is offered its own datacenters only.
    expect(await options(acme)).toEqual(['ams1', 'iad1', 'sjc1', 'syd1']);
    expect(await options(globex)).toEqual(['fra1', 'lon1', 'sin1']);
  });

  test('the two organisations see different estates, split about 58/42', async () => {
    const mine = Number((await data('overview', 'vms')).rows[0]?.[0]);
    const theirs = Number((await data('overview', 'vms', { filters: {} }, globex)).rows[0]?.[0]);
    expect(mine / (mine + theirs)).toBeGreaterThan(0.5);
    expect(mine / (mine + theirs)).toBeLessThan(0.66);
    // Another organisation's datacenter filters down to nothing, not to its rows.
    expect(Number((await data('overview', 'vms', { filters: { datacenter: ['fra1'] } })).rows[0]?.[0])).toBe(
      0,
    );
    const clusters = async (as: SignedIn) =>
      (await data('capacity', 'clusters', { filters: {}, page: { offset: 0, limit: 500 } }, as)).rows.map(
        (r) => String(r[0]),
      );
    const acmeClusters = await clusters(acme);
    expect(acmeClusters.every((c) => /^(iad1|ams1|sjc1|syd1)-/.test(c))).toBe(true);
    expect((await clusters(globex)).every((c) => /^(fra1|lon1|sin1)-/.test(c))).toBe(true);
  });

  test('the quality checks find what the generator planted', async () => {
    const kpi = async (w: string) => Number((await data('labels-quality', w)).rows[0]?.[0]);
    expect(await kpi('missing_owner')).toBeGreaterThan(0);
    expect(await kpi('duplicates')).toBeGreaterThan(0);
    expect(await kpi('stale')).toBeGreaterThan(0);
    expect(await kpi('unknown_os')).toBeGreaterThan(0);
    const bands = (await data('labels-quality', 'snapshot_age')).rows.map((r) => r[0]);
    expect(bands).toEqual(['1. under 6 hours', '2. 6 to 24 hours', '3. 1 to 7 days', '4. over 7 days']);
    const problems = await data('labels-quality', 'problem_vms', {
      filters: {},
      page: { offset: 0, limit: 50 },
    });
    expect(problems.rows.every((r) => Number(r.at(-1)) > 0)).toBe(true);
  });

  test('the clusters table pages and sorts on the server', async () => {
    const count = Number((await data('capacity', 'vcpu_per_core')).rows.length);
    expect(count).toBe(1);
    const page1 = await data('capacity', 'clusters', {
      filters: {},
      page: { offset: 0, limit: 10 },
      sort: { column: 'vms', direction: 'desc' },
    });
    const page2 = await data('capacity', 'clusters', {
      filters: {},
      page: { offset: 10, limit: 10 },
      sort: { column: 'vms', direction: 'desc' },
    });
    expect(page1.total).toBeGreaterThan(20);
    expect(page2.total).toBe(page1.total);
    const vms = [...page1.rows, ...page2.rows].map((r) => Number(r[7]));
    expect(vms).toEqual([...vms].sort((a, b) => b - a));
    expect(new Set([...page1.rows, ...page2.rows].map((r) => r[0])).size).toBe(20);
  });
});

/** Numbers may differ in the last bits (DOUBLE vs NUMERIC arithmetic); everything else exactly. */
function expectSameAnswer(actual: Answer | undefined, expected: Answer | undefined, where: string): void {
  expect(actual?.status, where).toBe(expected?.status);
  if (!actual || !expected) throw new Error(`${where}: missing answer`);
  expect(actual.body.columns, where).toEqual(expected.body.columns);
  expect(actual.body.total, where).toBe(expected.body.total);
  expect(actual.body.rows.length, where).toBe(expected.body.rows.length);
  actual.body.rows.forEach((row, i) => {
    const want = expected.body.rows[i] ?? [];
    expect(row.length, `${where} row ${i}`).toBe(want.length);
    row.forEach((cell, j) => {
      const w = want[j];
      if (typeof cell === 'number' && typeof w === 'number')
        expect(Math.abs(cell - w), `${where} row ${i} col ${j}: ${cell} vs ${w}`).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(w)),
        );
      else expect(cell, `${where} row ${i} col ${j}`).toEqual(w);
    });
  });
}

describe.runIf(pgGate.available)('vm-inventory example on PostgreSQL (VM_INVENTORY_DATABASE_URL)', () => {
  // A database of our own per run, dropped afterwards: other engineers' tests share the server.
  const database = `vm_inventory_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const adminUrl = pgGate.url;
  const url = (() => {
    const u = new URL(adminUrl);
    u.pathname = `/${database}`;
    return u.toString();
  })();
  let pgApp: TestApp;
  let pgAcme: SignedIn;
  let closePg: (() => Promise<void>) | undefined;
  let created = false;

  async function admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    // Same generator inputs as the DuckDB file, read from its meta table.
    const inst = await DuckDBInstance.create(vmInventoryDb, { access_mode: 'READ_ONLY' });
    const conn = await inst.connect();
    const meta = Object.fromEntries(
      (
        (await conn.runAndReadAll('SELECT key, value FROM meta')).getRowObjectsJS() as {
          key: string;
          value: string;
        }[]
      ).map((m) => [m.key, m.value]),
    );
    conn.closeSync();
    inst.closeSync();
    // C collation: text sorts by bytes, as in DuckDB, so pages and top-N ties come out in the same
    // order. (The database name is ours, built from digits and hex: safe to splice as an identifier.)
    await admin(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
    created = true;
    await loadPostgres(generateInventory({ vms: Number(meta['vm_count']), seed: Number(meta['seed']) }), {
      url,
    });
    ({ app: pgApp, close: closePg } = await startApp(vmInventoryDir, {
      environment: { VM_INVENTORY_DATABASE_URL: url },
    }));
    pgAcme = await loginAs(pgApp, { org: 'acme', orgName: 'Acme Cloud', role: 'viewer' });
  });

  afterAll(async () => {
    await closePg?.();
    if (created) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  test('the source really is PostgreSQL, holding the same generated rows', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const r = await client.query<{ n: string }>("SELECT count(*) AS n FROM vms WHERE org = 'acme'");
      expect(Number(r.rows[0]?.n)).toBe(Number((await data('overview', 'vms')).rows[0]?.[0]));
      // The app's own pool is connected to this database.
      const sessions = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'trellis'",
      );
      expect(Number(sessions.rows[0]?.n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  test('trellis check passes against PostgreSQL: every column exists with its type, every expression compiles', async () => {
    const verified = await loadVerifiedProject(vmInventoryDir, { VM_INVENTORY_DATABASE_URL: url });
    if (verified.ok) await closeEngines(verified.engines);
    expect(verified.ok ? [] : verified.problems).toEqual([]);
  });

  test('every widget, filtered, paged and sorted, answers exactly as on DuckDB', async () => {
    // The same dashboards, except the download formats: Parquet is written only by DuckDB itself.
    const withoutParquet = (defs: DashboardDefinition[]) =>
      defs.map((d) => ({
        ...d,
        widgets: d.widgets.map((w) => ({
          ...w,
          exportFormats: w.exportFormats?.filter((f) => f !== 'parquet'),
        })),
      }));
    const onPostgres = await definitions(pgAcme);
    expect(onPostgres).toEqual(withoutParquet(dashboards));
    expect(onPostgres.flatMap((d) => d.widgets.flatMap((w) => w.exportFormats ?? []))).not.toContain(
      'parquet',
    );
    expect(dashboards.flatMap((d) => d.widgets.flatMap((w) => w.exportFormats ?? []))).toContain('parquet');
    for (const r of requests) expectSameAnswer(await ask(pgAcme, r), onDuckdb.get(key(r)), key(r));
    expect(requests.length).toBeGreaterThan(60);
  });

  test('filter options are the same', async () => {
    for (const d of dashboards)
      for (const f of d.filters.filter((x) => x.type === 'multi_select')) {
        const url_ = `/api/v1/dashboards/${d.id}/filters/${f.id}/options`;
        const [a, b] = await Promise.all([acme.inject({ url: url_ }), pgAcme.inject({ url: url_ })]);
        expect(b.statusCode, url_).toBe(200);
        expect(b.json(), url_).toEqual(a.json());
      }
  });
});
