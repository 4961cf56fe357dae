import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  DashboardDefinition,
  DashboardListResponse,
  FilterOptionsResponse,
  WidgetDataResponse,
} from '../../../contract/index.js';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { clinicalTrialsDir, requireExampleData } from '../../../test/paths.js';

/** The flagship example end to end through the API, on its generated 50,000 studies. */
let app: TestApp;
let close: () => Promise<void>;
let dashboards: DashboardDefinition[];
/** The demo's two organisations: Atlas Research (60% of the studies) and Beacon Health (40%). */
let atlas: SignedIn;
let beacon: SignedIn;

beforeAll(async () => {
  requireExampleData();
  ({ app, close } = await startApp(clinicalTrialsDir));
  atlas = await loginAs(app, { org: 'atlas', orgName: 'Atlas Research', role: 'viewer' });
  beacon = await loginAs(app, { org: 'beacon', orgName: 'Beacon Health', role: 'viewer' });
  const list = (await atlas.inject({ url: '/api/v1/dashboards' })).json() as DashboardListResponse;
  dashboards = await Promise.all(
    list.dashboards.map(
      async (d) => (await atlas.inject({ url: `/api/v1/dashboards/${d.id}` })).json() as DashboardDefinition,
    ),
  );
});
afterAll(async () => close?.());

const data = async (dashboard: string, widget: string, body: object = { filters: {} }, as = atlas) => {
  const res = await widgetData(as, dashboard, widget, body);
  expect(res.statusCode, `${dashboard}/${widget}: ${res.body.slice(0, 300)}`).toBe(200);
  return res.json() as WidgetDataResponse;
};

describe('clinical-trials example', () => {
  test('has the six dashboards of the product brief, in order, and the newer charts last', () => {
    expect(dashboards.map((d) => d.title)).toEqual([
      'Overview',
      'Distributions',
      'Time trends',
      'Enrollment success',
      'Search',
      'Data browser',
      'Shapes of the portfolio',
    ]);
  });

  test('every widget of every dashboard returns data', async () => {
    let widgets = 0;
    for (const d of dashboards) {
      for (const w of d.widgets.filter((x) => x.type !== 'text')) {
        const r = await data(d.id, w.id);
        expect(r.rows.length, `${d.id}/${w.id}`).toBeGreaterThan(0);
        widgets++;
      }
    }
    expect(widgets).toBeGreaterThan(40);
  });

  test('at least 50,000 studies split 60/40 between the organisations, each seeing only its own', async () => {
    const total = Number((await data('overview', 'studies')).rows[0]?.[0]);
    const other = Number((await data('overview', 'studies', { filters: {} }, beacon)).rows[0]?.[0]);
    expect(total + other).toBeGreaterThanOrEqual(50_000);
    expect(total / (total + other)).toBeCloseTo(0.6, 2);
    // Same widget, same request, different organisation: different rows, from each one's own studies.
    const page = { filters: {}, page: { offset: 0, limit: 25 } };
    const mine = (await data('overview', 'recent', page)).rows.map((r) => r[0]);
    const theirs = (await data('overview', 'recent', page, beacon)).rows.map((r) => r[0]);
    // A full page each, so "no shared id" cannot pass on empty pages.
    expect(mine).toHaveLength(25);
    expect(theirs).toHaveLength(25);
    expect(new Set(mine).size).toBe(25);
    expect(mine.filter((id) => theirs.includes(id))).toEqual([]);
  });

  test('filters narrow every widget they drive', async () => {
    const total = Number((await data('overview', 'studies')).rows[0]?.[0]);
    const options = (
      await atlas.inject({ url: '/api/v1/dashboards/overview/filters/status/options' })
    ).json() as FilterOptionsResponse;
    expect(options.options.map((o) => o.value)).toContain('RECRUITING');
    expect(options.options.reduce((n, o) => n + o.count, 0)).toBe(total);
    const recruiting = options.options.find((o) => o.value === 'RECRUITING')?.count;
    const filtered = Number(
      (await data('overview', 'studies', { filters: { status: ['RECRUITING'] } })).rows[0]?.[0],
    );
    expect(filtered).toBe(recruiting);
    const table = await data('overview', 'recent', {
      filters: { status: ['RECRUITING'] },
      page: { offset: 0, limit: 10 },
    });
    expect(table.total).toBe(recruiting);
    expect(table.rows.every((r) => r[2] === 'RECRUITING')).toBe(true);
  });

  test('search finds titles case-insensitively', async () => {
    const all = Number((await data('search', 'matches')).rows[0]?.[0]);
    const diabetes = await data('search', 'results', {
      filters: { title: 'DIABETES' },
      page: { offset: 0, limit: 20 },
    });
    expect(diabetes.total).toBeGreaterThan(0);
    expect(diabetes.total).toBeLessThan(all);
    expect(diabetes.rows.every((r) => String(r[1]).toLowerCase().includes('diabetes'))).toBe(true);
  });

  test('enrollment success follows its formulas: tiers by rate against the benchmark of 10/month', async () => {
    // Every tier's rows, through the tier filter: the loop below then checks the formula on each of
    // its branches, and cannot pass on no rows.
    const tiers = (await data('enrollment-success', 'tiers')).rows.map((r) => String(r[0]));
    expect(tiers).toEqual(expect.arrayContaining(['Exceeded', 'Met', 'Below', 'Significantly below']));
    const rows = [];
    for (const tier of tiers) {
      const page = (
        await data('enrollment-success', 'leaders', {
          filters: { tier: [tier] },
          page: { offset: 0, limit: 50 },
          sort: { column: 'rate', direction: 'desc' },
        })
      ).rows;
      expect(page.length, tier).toBeGreaterThan(0);
      rows.push(...page);
    }
    // columns: nct_id, brief_title, overall_status, phase, enrollment, months, rate, tier, composite
    for (const r of rows) {
      const rate = r[6] as number | null;
      const tier = r[7];
      const expected =
        rate === null
          ? 'Not assessable'
          : rate >= 12
            ? 'Exceeded'
            : rate >= 10
              ? 'Met'
              : rate >= 5
                ? 'Below'
                : 'Significantly below';
      expect(tier, String(r[0])).toBe(expected);
      const composite = r[8] as number;
      expect(composite).toBeGreaterThanOrEqual(0);
      expect(composite).toBeLessThanOrEqual(100);
    }
  });
});
