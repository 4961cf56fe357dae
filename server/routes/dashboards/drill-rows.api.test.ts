import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { createTenantFixture, ORDER_ROWS, type TenantFixture } from '../../../test/tenant-fixture.js';
import { loadProject } from '../../config/project/load-project.js';
import { formatProblem } from '../../config/project/project.types.js';

/**
 * Drill to the rows behind a mark and to another dashboard, on the tenant fixture (DuckDB): atlas and
 * beacon share a table; every request sends only ids and values, and each org sees its own rows only.
 */
const DRILL = `title: Orders drill
dataset: orders
filters:
  - { id: region, type: multi_select, label: Region, column: region }
widgets:
  - { id: by_region, type: bar, title: By region, dimension: region, series: status, measures: [count], drill: { rows: { columns: [id, org, region, status, amount], page_size: 10 } } }
  - { id: per_period, type: bar, title: Per period, dimension: placed, grain: year, measures: [count], drill: { levels: [year, month], rows: { columns: [id, placed] } } }
  - { id: total, type: kpi, title: Orders, measure: count, drill: { rows: { columns: [id, region] } } }
  - { id: to_ops, type: bar, title: To ops, dimension: region, measures: [count], drill: { dashboard: ops, filters: { region: region } } }
  - { id: to_admin, type: pie, title: To admin, dimension: region, measure: count, drill: { dashboard: admin, filters: { region: region } } }
  - { id: plain, type: bar, title: Plain, dimension: region, measures: [count] }
`;

interface Page {
  columns: { key: string }[];
  rows: (string | number | null)[][];
  total: number;
  page: { offset: number; limit: number };
}

let fixture: TenantFixture;
let app: TestApp;
let close: () => Promise<void>;
let atlas: SignedIn;
let beacon: SignedIn;
let beaconAdmin: SignedIn;

beforeAll(async () => {
  fixture = await createTenantFixture('duckdb', '');
  writeFileSync(path.join(fixture.dir, 'dashboards', 'drill.yaml'), DRILL);
  ({ app, close } = await startApp(fixture.dir, { environment: fixture.environment }));
  atlas = await loginAs(app, { org: 'atlas', role: 'viewer' });
  beacon = await loginAs(app, { org: 'beacon', role: 'viewer' });
  beaconAdmin = await loginAs(app, { org: 'beacon', role: 'admin' });
}, 60_000);
afterAll(async () => {
  await close?.();
  await fixture?.teardown();
});

const rowsOf = (as: SignedIn | TestApp, widget: string, body: object, dashboard = 'drill') =>
  as.inject({
    method: 'POST',
    url: `/api/v1/dashboards/${dashboard}/widgets/${widget}/rows`,
    payload: body,
  });
const ids = (org: string, pred: (r: (typeof ORDER_ROWS)[number]) => boolean) =>
  ORDER_ROWS.filter((r) => r.org === org && pred(r))
    .map((r) => r.id)
    .sort((a, b) => a - b);

/** Every page of a drill, following `total`. */
async function allRows(as: SignedIn, widget: string, body: object): Promise<Page['rows']> {
  const out: Page['rows'] = [];
  for (let offset = 0; ; offset += 10) {
    const res = await rowsOf(as, widget, { ...body, page: { offset, limit: 10 } });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as Page;
    out.push(...page.rows);
    if (offset + 10 >= page.total) return out;
  }
}

describe('drill to the rows behind a mark', () => {
  test("a bar's mark opens exactly its rows, paged, and as many as the bar counted", async () => {
    const mark = { region: 'hub', status: 'closed' };
    const first = await rowsOf(beacon, 'by_region', { mark });
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json() as Page;
    expect(page.columns.map((c) => c.key)).toEqual(['id', 'org', 'region', 'status', 'amount']);
    expect(page.page).toEqual({ offset: 0, limit: 10 });
    const expected = ids('beacon', (r) => r.region === 'hub' && r.status === 'closed');
    expect(expected.length).toBeGreaterThan(10); // so paging is exercised
    expect(page.total).toBe(expected.length);
    const all = await allRows(beacon, 'by_region', { mark });
    expect(all.map((r) => Number(r[0])).sort((a, b) => a - b)).toEqual(expected);
    expect(all.every((r) => r[1] === 'beacon' && r[2] === 'hub' && r[3] === 'closed')).toBe(true);

    // The bar said the same number.
    const chart = (await widgetData(beacon, 'drill', 'by_region')).json() as Page;
    const bar = chart.rows.find((r) => r[0] === 'hub' && r[1] === 'closed');
    expect(Number(bar?.[2])).toBe(expected.length);
  });

  test('dashboard filters and the time level shown apply; a period mark is its range', async () => {
    const body = { drill: ['2024-01-01'], mark: { placed: '2024-03-01' }, filters: { region: ['hub'] } };
    const all = await allRows(beacon, 'per_period', body);
    const expected = ids('beacon', (r) => r.region === 'hub' && r.placed.startsWith('2024-03'));
    expect(expected.length).toBeGreaterThan(0);
    expect(all.map((r) => Number(r[0])).sort((a, b) => a - b)).toEqual(expected);
    // A KPI has no mark: its drill is every row under the filters.
    const kpi = (await rowsOf(beacon, 'total', { filters: { region: ['west'] } })).json() as Page;
    expect(kpi.total).toBe(ids('beacon', (r) => r.region === 'west').length);
  });

  test("another organisation's user clicking the same mark sees only their own rows", async () => {
    const mark = { region: 'hub', status: 'open' };
    const theirs = await allRows(atlas, 'by_region', { mark });
    expect(theirs.map((r) => Number(r[0])).sort((a, b) => a - b)).toEqual(
      ids('atlas', (r) => r.region === 'hub' && r.status === 'open'),
    );
    expect(theirs.every((r) => r[1] === 'atlas')).toBe(true);
    // A value only another tenant has finds nothing (not their rows, not an error that tells).
    const secret = (await rowsOf(beacon, 'by_region', { mark: { region: 'secret' } })).json() as Page;
    expect([secret.total, secret.rows]).toEqual([0, []]);
  });

  test.each([
    ['a column the widget does not group by', 'by_region', { mark: { org: 'atlas' } }, 'DRILL_INVALID'],
    ['a measure column', 'by_region', { mark: { amount: 5 } }, 'DRILL_INVALID'],
    [
      'a value of the wrong type',
      'per_period',
      { drill: ['2024-01-01'], mark: { placed: 7 } },
      'DRILL_INVALID',
    ],
    [
      'a day that starts no month',
      'per_period',
      { drill: ['2024-01-01'], mark: { placed: '2024-03-02' } },
      'DRILL_INVALID',
    ],
    ['an object as a value', 'by_region', { mark: { region: { $ne: 1 } } }, 'VALIDATION_FAILED'],
    ['five values', 'by_region', { mark: { a: 1, b: 2, c: 3, d: 4, e: 5 } }, 'VALIDATION_FAILED'],
    ['a page larger than allowed', 'by_region', { page: { offset: 0, limit: 10_000 } }, 'VALIDATION_FAILED'],
    ['a widget that declares no rows drill', 'plain', { mark: { region: 'hub' } }, 'DRILL_INVALID'],
    ['a path on a widget without levels', 'by_region', { drill: ['2024-01-01'] }, 'DRILL_INVALID'],
    ['an unknown filter', 'by_region', { filters: { org: ['atlas'] } }, 'UNKNOWN_FILTER'],
  ])('%s is refused', async (_name, widget, body, code) => {
    const res = await rowsOf(beacon, widget, body);
    expect([res.statusCode, res.json().error]).toEqual([400, code]);
  });

  test('SQL in a value is only a value', async () => {
    const res = await rowsOf(beacon, 'by_region', { mark: { region: "hub' OR '1'='1" } });
    expect(res.statusCode).toBe(200);
    expect((res.json() as Page).total).toBe(0);
  });

  test("a stranger is asked to sign in; a viewer cannot reach the admins' dashboard", async () => {
    expect((await rowsOf(app, 'by_region', { mark: { region: 'hub' } })).statusCode).toBe(401);
    const admin = await rowsOf(beacon, 'list', {}, 'admin');
    expect([admin.statusCode, admin.json().error]).toEqual([404, 'DASHBOARD_NOT_FOUND']);
  });
});

describe('drill to another dashboard', () => {
  type Def = { widgets: { id: string; drillTo?: unknown; drillRows?: unknown }[] };
  const widgetsOf = async (as: SignedIn) =>
    new Map(((await as.inject('/api/v1/dashboards/drill')).json() as Def).widgets.map((w) => [w.id, w]));

  test('the definition names the target and which of its filters each mark column sets', async () => {
    const w = await widgetsOf(beacon);
    expect(w.get('to_ops')?.drillTo).toEqual({
      dashboard: 'ops',
      title: 'Operations',
      filters: [{ filter: 'region', column: 'region' }],
    });
    expect(w.get('by_region')?.drillRows).toEqual({ pageSize: 10 });
    expect(w.get('plain')?.drillTo).toBeUndefined();
  });

  test('a target the role may not open is not offered (its existence stays hidden)', async () => {
    expect((await widgetsOf(beacon)).get('to_admin')?.drillTo).toBeUndefined();
    expect((await widgetsOf(beaconAdmin)).get('to_admin')?.drillTo).toMatchObject({ dashboard: 'admin' });
  });
});

describe('`trellis check` on drill rows and drill to a dashboard', () => {
  const OTHER = `title: Other\ndataset: items\nfilters:\n  - { id: colour, type: multi_select, label: Colour, column: colour }\n  - { id: made, type: date_range, label: Made, column: created }\nwidgets:\n  - { id: n, type: kpi, title: N, measure: items }\n`;
  test.each([
    ['an unknown target', 'drill: { dashboard: nowhere }', 'drills to unknown dashboard "nowhere"'],
    [
      'an unknown target filter',
      'drill: { dashboard: other, filters: { shade: colour } }',
      'dashboard "other" has no filter "shade"',
    ],
    [
      'a range filter as target',
      'drill: { dashboard: other, filters: { made: colour } }',
      'a mark carries one value',
    ],
    [
      'a column the marks do not carry',
      'drill: { dashboard: other, filters: { colour: name } }',
      '"name" is not a column this widget\'s marks carry',
    ],
    [
      'an unknown rows column',
      'drill: { rows: { columns: [id, secret_column] } }',
      'unknown column "secret_column"',
    ],
    ['rows and dashboard at once', 'drill: { rows: { columns: [id] }, dashboard: other }', 'not both'],
    ['levels on a pie', 'drill: { levels: [year, month] }', 'only bar, line and area charts'],
  ])('%s is reported with its place', async (_name, keys, message) => {
    const widget = keys.includes('levels')
      ? `{ id: w, type: pie, title: W, dimension: colour, measure: items, ${keys} }`
      : `{ id: w, type: bar, title: W, dimension: colour, measures: [items], ${keys} }`;
    const mini = await createMiniProject({
      'dashboards/drill.yaml': `title: Drill\ndataset: items\nwidgets:\n  - ${widget}\n`,
      'dashboards/other.yaml': OTHER,
    });
    const loaded = await loadProject(mini.dir);
    const text = loaded.ok ? '' : loaded.problems.map(formatProblem).join('\n');
    expect(text).toContain('dashboards/drill.yaml');
    expect(text).toContain(message);
  });

  test('a correct drill to a dashboard loads', async () => {
    const mini = await createMiniProject({
      'dashboards/drill.yaml': `title: Drill\ndataset: items\nwidgets:\n  - { id: w, type: bar, title: W, dimension: colour, measures: [items], drill: { dashboard: other, filters: { colour: colour } } }\n`,
      'dashboards/other.yaml': OTHER,
    });
    const loaded = await loadProject(mini.dir);
    expect(loaded.ok ? [] : loaded.problems.map(formatProblem)).toEqual([]);
  });
});
