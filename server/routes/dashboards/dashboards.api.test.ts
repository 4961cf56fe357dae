import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  DashboardDefinition,
  ErrorBody,
  FilterOptionsResponse,
  WidgetDataResponse,
} from '../../../contract/index.js';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject, MINI_ITEMS } from '../../../test/mini-project.js';

let app: TestApp;

/** Dashboards need a signed-in user; the mini project's datasets are shared, so any organisation will do. */

let user: SignedIn;
let close: () => Promise<void>;

beforeAll(async () => {
  const mini = await createMiniProject({
    'dashboards/editors.yaml': `title: Editors only
dataset: items
roles: [editor, admin]
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour }
widgets:
  - { id: total, type: kpi, title: Items, measure: items }
`,
  });
  ({ app, close } = await startApp(mini.dir));
  user = await loginAs(app, { org: 'acme', role: 'viewer' });
});
afterAll(async () => close?.());

const data = async (widget: string, body: unknown = { filters: {} }) => {
  const res = await widgetData(user, 'main', widget, body);
  return { status: res.statusCode, body: res.json() as WidgetDataResponse & ErrorBody };
};
const kpi = async (filters: Record<string, unknown>) => (await data('total', { filters })).body.rows[0]?.[0];

describe('dashboards API', () => {
  test('lists dashboards and returns a definition with dataset ids but no table, column or SQL in it', async () => {
    const list = await user.inject({ url: '/api/v1/dashboards' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      project: { name: 'mini', title: 'Mini' },
      dashboards: [{ id: 'main', title: 'Main', widgetCount: 11 }],
    });
    const def = await user.inject({ url: '/api/v1/dashboards/main' });
    const body = def.json() as DashboardDefinition;
    expect(body.filters.map((f) => [f.id, f.type])).toEqual([
      ['colour', 'multi_select'],
      ['created', 'date_range'],
      ['updated', 'date_range'],
      ['price', 'number_range'],
      ['q', 'text'],
    ]);
    expect(body.widgets.find((w) => w.id === 'list')).toMatchObject({
      type: 'table',
      sortable: ['id', 'name', 'colour', 'created', 'price'],
      pageSize: 10,
    });
    expect(body.widgets.find((w) => w.id === 'canary_rows')?.filters).toEqual([]);
    // The datasets it reads (widgets and the colour filter's options), for the "Refreshing data…"
    // badge while a pipeline writes them; the widgets themselves still do not name theirs.
    expect(body.datasets).toEqual(['canary', 'items']);
    const { datasets: _ids, ...rest } = body;
    expect(JSON.stringify(rest)).not.toMatch(/"dataset"|"canary"|SELECT|duckdb|"sql"/);
    expect(def.body).not.toMatch(/SELECT|duckdb|"sql"/);
  });

  test('a dashboard lists the datasets of its multi-select filter options, once each', async () => {
    const mini = await createMiniProject({
      'datasets/colours.yaml': `table: items
shared: true
columns:
  colour: { type: string }
`,
      'dashboards/main.yaml': `title: Main
dataset: items
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour, options_from: colours }
widgets:
  - { id: total, type: kpi, title: Items, measure: items }
  - { id: again, type: kpi, title: Again, measure: revenue }
  - { id: note, type: text, markdown: "Hello" }
`,
    });
    const other = await startApp(mini.dir);
    try {
      const viewer = await loginAs(other.app, { org: 'acme', role: 'viewer' });
      const def = (await viewer.inject({ url: '/api/v1/dashboards/main' })).json() as DashboardDefinition;
      expect(def.datasets).toEqual(['colours', 'items']);
    } finally {
      await other.close();
    }
  });

  test('every data widget answers with rows', async () => {
    const def = (await user.inject({ url: '/api/v1/dashboards/main' })).json() as DashboardDefinition;
    for (const w of def.widgets.filter((x) => x.type !== 'text')) {
      const r = await data(w.id);
      expect(r.status, `${w.id}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.rows.length, w.id).toBeGreaterThan(0);
      expect(r.body.columns.length, w.id).toBe(r.body.rows[0]?.length);
    }
  });

  test('each filter type narrows the result, and filters combine', async () => {
    expect(await kpi({})).toBe(MINI_ITEMS);
    // colour cycles through 5 values (one NULL) → 100 each.
    expect(await kpi({ colour: ['red'] })).toBe(100);
    expect(await kpi({ colour: ['red', 'blue'] })).toBe(200);
    expect(await kpi({ colour: ["O'Brien"] })).toBe(100);
    expect(await kpi({ colour: [] })).toBe(MINI_ITEMS);
    // created = 2020-01-01 + 3·i days.
    expect(await kpi({ created: { from: '2020-01-01', to: '2020-01-31' } })).toBe(11);
    expect(await kpi({ created: { to: '2020-01-04' } })).toBe(2);
    // updated_at = 2020-01-01 00:00 + i hours: "to" is inclusive of the whole day for timestamps.
    expect(await kpi({ updated: { from: '2020-01-01', to: '2020-01-01' } })).toBe(24);
    // price = (i % 50) · 1.5
    expect(await kpi({ price: { min: 0, max: 0 } })).toBe(10);
    expect(await kpi({ price: { min: 72 } })).toBe(20);
    // name contains: % and _ are literal characters, not wildcards.
    expect(await kpi({ q: '50% off_' })).toBe(Math.ceil(MINI_ITEMS / 7));
    expect(await kpi({ q: '%' })).toBe(Math.ceil(MINI_ITEMS / 7));
    expect(await kpi({ q: '_' })).toBe(Math.ceil(MINI_ITEMS / 7));
    expect(await kpi({ q: 'ITEM 49' })).toBe(11);
    // red is i % 5 = 0; price ≥ 60 is i % 50 ≥ 40: both hold for i % 50 ∈ {40, 45}.
    expect(await kpi({ colour: ['red'], price: { min: 60 } })).toBe(20);
  });

  test('tables page on the server with a total, and sort only on declared columns', async () => {
    const first = await data('list', {
      filters: {},
      page: { offset: 0, limit: 10 },
      sort: { column: 'price', direction: 'desc' },
    });
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(MINI_ITEMS);
    expect(first.body.rows).toHaveLength(10);
    expect(first.body.rows[0]?.[4]).toBe(73.5);
    // Ties on price are broken by the other columns, so pages never overlap.
    const ids = new Set<unknown>();
    for (let offset = 0; offset < 40; offset += 10) {
      const page = await data('list', {
        filters: {},
        page: { offset, limit: 10 },
        sort: { column: 'price', direction: 'desc' },
      });
      for (const row of page.body.rows) ids.add(row[0]);
    }
    expect(ids.size).toBe(40);
    const last = await data('list', { filters: { colour: ['red'] }, page: { offset: 95, limit: 10 } });
    expect(last.body).toMatchObject({ total: 100, page: { offset: 95, limit: 10 } });
    expect(last.body.rows).toHaveLength(5);
    const grouped = await data('grouped', {
      filters: {},
      page: { offset: 0, limit: 3 },
      sort: { column: 'revenue', direction: 'asc' },
    });
    expect(grouped.body.total).toBe(5);
    expect(grouped.body.rows).toHaveLength(3);
  });

  test('filter options: distinct values with counts, searched and capped', async () => {
    const res = await user.inject({ url: '/api/v1/dashboards/main/filters/colour/options' });
    const body = res.json() as FilterOptionsResponse;
    expect(body.options.map((o) => o.value).sort()).toEqual(["O'Brien", 'blue', 'green', 'red']);
    expect(body.options.every((o) => o.count === 100)).toBe(true);
    const searched = (
      await user.inject({ url: '/api/v1/dashboards/main/filters/colour/options?search=RE&limit=1' })
    ).json() as FilterOptionsResponse;
    expect(searched).toMatchObject({ options: [{ count: 100 }], more: true });
    const wild = (
      await user.inject({ url: '/api/v1/dashboards/main/filters/colour/options?search=%25' })
    ).json() as FilterOptionsResponse;
    expect(wild.options).toEqual([]);
  });

  test('histogram bins cover the range with empty bins filled in', async () => {
    const r = await data('prices');
    expect(r.body.rows).toHaveLength(10);
    expect(r.body.rows.reduce((n, row) => n + Number(row[3]), 0)).toBe(MINI_ITEMS);
    expect(r.body.rows[0]?.[1]).toBe(0);
    expect(r.body.rows[9]?.[2]).toBe(73.5);
  });
});

describe('who may see dashboards', () => {
  test('every dashboard route needs a session: anonymous requests are UNAUTHENTICATED', async () => {
    for (const res of [
      await app.inject({ url: '/api/v1/dashboards' }),
      await app.inject({ url: '/api/v1/dashboards/main' }),
      await app.inject({ url: '/api/v1/dashboards/main/filters/colour/options' }),
      await app.inject({ url: '/api/v1/dashboards/main/events' }),
      await widgetData(app, 'main', 'total'),
      await app.inject({ url: '/api/v1/dashboards', headers: { cookie: 'trellis_session=forged' } }),
    ]) {
      expect(res.statusCode, res.body).toBe(401);
      expect(res.json()).toMatchObject({ error: 'UNAUTHENTICATED' });
      expect(res.body).not.toMatch(/"rows"|Items/);
    }
  });

  test('the list shows only the dashboards the role may view', async () => {
    const ids = async (as: SignedIn) =>
      ((await as.inject('/api/v1/dashboards')).json() as { dashboards: { id: string }[] }).dashboards.map(
        (d) => d.id,
      );
    expect(await ids(user)).toEqual(['main']);
    expect(await ids(await loginAs(app, { org: 'acme', role: 'editor' }))).toEqual(['editors', 'main']);
    expect(await ids(await loginAs(app, { org: 'acme', role: 'admin' }))).toEqual(['editors', 'main']);
  });

  test('a dashboard the role may not view answers exactly like one that does not exist', async () => {
    const answers = async (dashboard: string) =>
      [
        await user.inject(`/api/v1/dashboards/${dashboard}`),
        await widgetData(user, dashboard, 'total'),
        await user.inject(`/api/v1/dashboards/${dashboard}/filters/colour/options`),
      ].map((r) => ({ status: r.statusCode, error: r.json().error, message: r.json().message }));
    const hidden = await answers('editors');
    expect(hidden.map((a) => [a.status, a.error])).toEqual([
      [404, 'DASHBOARD_NOT_FOUND'],
      [404, 'DASHBOARD_NOT_FOUND'],
      [404, 'DASHBOARD_NOT_FOUND'],
    ]);
    const missing = await answers('nothing');
    expect(hidden.map((a) => a.message.replace('editors', '?'))).toEqual(
      missing.map((a) => a.message.replace('nothing', '?')),
    );
    const editor = await loginAs(app, { org: 'acme', role: 'editor' });
    expect((await widgetData(editor, 'editors', 'total')).statusCode).toBe(200);
    expect((await editor.inject('/api/v1/dashboards/editors')).statusCode).toBe(200);
  });
});

describe('errors: stable codes, 4xx for bad requests, request ids', () => {
  const expectError = async (res: Awaited<ReturnType<TestApp['inject']>>, status: number, code: string) => {
    expect(res.statusCode, res.body).toBe(status);
    const body = res.json() as ErrorBody;
    expect(body.error).toBe(code);
    expect(body.requestId).toBe(res.headers['x-request-id']);
    expect(body.message.length).toBeGreaterThan(0);
  };

  test('unknown dashboard, widget, filter', async () => {
    await expectError(await widgetData(user, 'nope', 'total'), 404, 'DASHBOARD_NOT_FOUND');
    await expectError(await widgetData(user, 'main', 'nope'), 404, 'WIDGET_NOT_FOUND');
    await expectError(await widgetData(user, 'main', 'note'), 404, 'WIDGET_NOT_FOUND');
    await expectError(await user.inject({ url: '/api/v1/dashboards/nope' }), 404, 'DASHBOARD_NOT_FOUND');
    await expectError(
      await user.inject({ url: '/api/v1/dashboards/main/filters/nope/options' }),
      404,
      'FILTER_NOT_FOUND',
    );
    await expectError(
      await user.inject({ url: '/api/v1/dashboards/main/filters/price/options' }),
      400,
      'FILTER_HAS_NO_OPTIONS',
    );
    await expectError(
      await widgetData(user, 'main', 'total', { filters: { password: ['x'] } }),
      400,
      'UNKNOWN_FILTER',
    );
    await expectError(await app.inject({ url: '/api/v1/nothing-here' }), 404, 'NOT_FOUND');
  });

  test('undeclared sort columns and paging non-tables', async () => {
    await expectError(
      await widgetData(user, 'main', 'list', { filters: {}, sort: { column: 'active', direction: 'asc' } }),
      400,
      'SORT_NOT_ALLOWED',
    );
    await expectError(
      await widgetData(user, 'main', 'list', {
        filters: {},
        sort: { column: 'id; DROP TABLE items', direction: 'asc' },
      }),
      400,
      'SORT_NOT_ALLOWED',
    );
    await expectError(
      await widgetData(user, 'main', 'total', { filters: {}, page: { offset: 0, limit: 5 } }),
      400,
      'PAGINATION_NOT_SUPPORTED',
    );
  });

  test('wrong value shapes are INVALID_FILTER_VALUE naming the filter', async () => {
    const cases: Record<string, unknown>[] = [
      { colour: 'red' },
      { colour: [1] },
      { created: { from: '2020-13-01' } },
      { created: { from: '2021-01-01', to: '2020-01-01' } },
      { created: '2020-01-01' },
      { price: { min: 'cheap' } },
      { price: { min: 5, max: 1 } },
      { q: ['a'] },
      { q: 'a\u0000b' },
      { q: 'x'.repeat(1001) },
    ];
    for (const filters of cases) {
      const res = await widgetData(user, 'main', 'total', { filters });
      await expectError(res, 400, 'INVALID_FILTER_VALUE');
      expect((res.json() as ErrorBody).issues?.[0]?.path).toBe(`filters.${Object.keys(filters)[0]}`);
    }
  });

  test('malformed bodies are VALIDATION_FAILED; oversized bodies PAYLOAD_TOO_LARGE', async () => {
    await expectError(
      await widgetData(user, 'main', 'list', { filters: {}, page: { offset: -1, limit: 10 } }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await widgetData(user, 'main', 'list', { filters: {}, page: { offset: 0, limit: 100000 } }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(await widgetData(user, 'main', 'list', { filters: [] }), 400, 'VALIDATION_FAILED');
    await expectError(
      await user.inject({
        method: 'POST',
        url: '/api/v1/dashboards/main/widgets/total/data',
        payload: '{"filters":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await widgetData(user, 'main', 'total', { filters: { q: 'x'.repeat(100_000) } }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  test('without a trusted proxy a client request id is replaced (server/http/http-hardening.api.test.ts: with one)', async () => {
    const chosen = await user.inject({
      url: '/api/v1/dashboards',
      headers: { 'x-request-id': 'abc-123-def-456' },
    });
    expect(chosen.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const replaced = await user.inject({ url: '/api/v1/dashboards', headers: { 'x-request-id': 'a\nb' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('operations endpoints', () => {
  test('healthz, readyz, metrics, openapi', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', sources: { main: { ok: true } } });
    await data('total');
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(
      /trellis_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/dashboards\/:dashboard\/widgets\/:widget\/data"/,
    );
    expect(metrics).toMatch(
      /trellis_query_duration_seconds_count\{source="main",dataset="items",outcome="ok"\} \d+/,
    );
    expect(metrics).toContain('nodejs_eventloop_lag_p99_seconds');
    const openapi = (await app.inject({ url: '/api/v1/openapi.json' })).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths).sort()).toEqual([
      '/api/v1/admin/invitations',
      '/api/v1/admin/invitations/{id}',
      '/api/v1/admin/members',
      '/api/v1/admin/members/{userId}',
      '/api/v1/admin/members/{userId}/password',
      '/api/v1/admin/organisation',
      '/api/v1/alerts',
      '/api/v1/alerts/{id}',
      '/api/v1/alerts/{id}/history',
      '/api/v1/audit',
      '/api/v1/audit.csv',
      '/api/v1/dashboards',
      '/api/v1/dashboards/{dashboard}',
      '/api/v1/dashboards/{dashboard}/default-preset',
      '/api/v1/dashboards/{dashboard}/events',
      '/api/v1/dashboards/{dashboard}/filters/{filter}/options',
      '/api/v1/dashboards/{dashboard}/layout',
      '/api/v1/dashboards/{dashboard}/presets',
      '/api/v1/dashboards/{dashboard}/presets/{preset}',
      '/api/v1/dashboards/{dashboard}/widgets/{widget}/data',
      '/api/v1/dashboards/{dashboard}/widgets/{widget}/export',
      '/api/v1/dashboards/{dashboard}/widgets/{widget}/rows',
      '/api/v1/exports',
      '/api/v1/exports/pdf',
      '/api/v1/exports/{id}',
      '/api/v1/exports/{id}/cancel',
      '/api/v1/exports/{id}/download',
      '/api/v1/invitations/accept',
      '/api/v1/invitations/preview',
      '/api/v1/invitations/register',
      '/api/v1/password-resets',
      '/api/v1/password-resets/confirm',
      '/api/v1/pipelines',
      '/api/v1/pipelines/{pipeline}/runs',
      '/api/v1/runs/events',
      '/api/v1/runs/{run}',
      '/api/v1/runs/{run}/cancel',
      '/api/v1/runs/{run}/logs',
      '/api/v1/search',
      '/api/v1/session',
      '/api/v1/session/locale',
      '/api/v1/session/organisation',
      '/api/v1/session/organisations',
      '/api/v1/session/password',
      '/api/v1/session/sessions',
      '/api/v1/session/sessions/{id}',
      '/api/v1/subscriptions',
      '/api/v1/subscriptions/{id}',
      '/api/v1/subscriptions/{id}/deliveries',
      '/api/v1/subscriptions/{id}/pause',
      '/api/v1/subscriptions/{id}/resume',
      '/api/v1/tokens',
      '/api/v1/tokens/{id}',
      '/api/v1/uploads/targets',
      '/api/v1/uploads/targets/{target}/uploads',
      '/api/v1/uploads/targets/{target}/versions',
      '/api/v1/uploads/targets/{target}/versions/diff',
      '/api/v1/uploads/targets/{target}/versions/{version}/rollback',
      '/api/v1/uploads/{upload}',
      '/api/v1/uploads/{upload}/import',
      '/api/v1/uploads/{upload}/preview',
      '/api/v1/uploads/{upload}/profile',
      '/api/v1/uploads/{upload}/report',
      '/api/v1/uploads/{upload}/report.csv',
    ]);
  });
});
