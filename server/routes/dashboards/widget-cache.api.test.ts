import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { cacheRequests, executions } from '../../../test/metrics-reader.js';
import { createMiniProject } from '../../../test/mini-project.js';

/**
 * The query cache seen through the HTTP API on a real DuckDB project: one execution for a stampede of
 * identical cold requests, hits after that, per-filter keys, invalidation by dataset, HTTP caching
 * headers, and `live` datasets that are never cached.
 */
describe('widget data through the cache', () => {
  let app: TestApp;
  /** Dashboards need a signed-in user; the mini project's datasets are shared, so any organisation will do. */
  let user: SignedIn;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const mini = await createMiniProject({
      'datasets/canary.yaml': `table: canary
freshness: live
shared: true
columns:
  id: { type: number }
  note: { type: string }
`,
      // A live dataset whose rows change on every run (DuckDB's clock, to the microsecond), and a
      // dashboard with it beside the constant live canary.
      'datasets/clock.yaml': `sql: sql/clock.sql
freshness: live
shared: true
columns:
  us: { type: number }
measures:
  latest: { agg: max, column: us }
`,
      'sql/clock.sql': 'SELECT epoch_us(get_current_timestamp()) AS us',
      'dashboards/live.yaml': `title: Live
dataset: clock
widgets:
  - { id: clock, type: kpi, title: Clock, measure: latest }
  - { id: canary, type: kpi, title: Canary, dataset: canary, measure: count }
`,
    });
    ({ app, close } = await startApp(mini.dir));
    user = await loginAs(app, { org: 'acme', role: 'viewer' });
  });
  afterAll(async () => close());

  test('500 concurrent identical cold requests run the query once, with 0 errors', async () => {
    const before = await executions(app, 'items');
    const body = { filters: { colour: ['red'] } };
    const responses = await Promise.all(
      Array.from({ length: 500 }, () => widgetData(user, 'main', 'by_colour', body)),
    );
    expect(responses.filter((r) => r.statusCode !== 200)).toHaveLength(0);
    expect((await executions(app, 'items')) - before).toBe(1);
    const kinds = new Set(responses.map((r) => r.json().meta.cache));
    expect([...kinds].sort()).toEqual(['coalesced', 'miss']);
    expect(responses.filter((r) => r.json().meta.cache === 'miss')).toHaveLength(1);
    // Every response carries the same rows.
    const first = JSON.stringify(responses[0]?.json().rows);
    expect(responses.every((r) => JSON.stringify(r.json().rows) === first)).toBe(true);
    expect(await cacheRequests(app, 'coalesced')).toBeGreaterThanOrEqual(499);
  });

  test('a repeat is a hit with the original time; other filter values are other keys', async () => {
    const body = { filters: { colour: ['green'] } };
    const first = await widgetData(user, 'main', 'total', body);
    const again = await widgetData(user, 'main', 'total', body);
    expect(first.json().meta.cache).toBe('miss');
    expect(again.json().meta).toMatchObject({ cache: 'hit', stale: false, queryMs: 0 });
    expect(again.json().meta.asOf).toBe(first.json().meta.asOf);
    expect(again.json().rows).toEqual(first.json().rows);
    const other = await widgetData(user, 'main', 'total', { filters: { colour: ['blue', 'red'] } });
    expect(other.json().meta.cache).toBe('miss');
    expect(other.json().rows).not.toEqual(first.json().rows);
  });

  test('tables cache the page and the count under their own keys', async () => {
    const body = { filters: {}, page: { offset: 10, limit: 10 } };
    const before = await executions(app, 'items');
    const a = await widgetData(user, 'main', 'list', body);
    const b = await widgetData(user, 'main', 'list', body);
    expect((await executions(app, 'items')) - before).toBe(2); // page + count, once
    expect(b.json()).toMatchObject({ total: a.json().total, rows: a.json().rows, meta: { cache: 'hit' } });
    const next = await widgetData(user, 'main', 'list', { ...body, page: { offset: 20, limit: 10 } });
    expect((await executions(app, 'items')) - before).toBe(3); // new page; the count is a hit
    expect(next.json().rows).not.toEqual(a.json().rows);
  });

  test('invalidating a dataset makes its next request run again; other datasets keep their entries', async () => {
    await widgetData(user, 'main', 'total', { filters: {} });
    const before = await executions(app);
    await app.services.runner.invalidate(['items']);
    const after = await widgetData(user, 'main', 'total', { filters: {} });
    expect(after.json().meta.cache).toBe('miss');
    expect((await executions(app)) - before).toBe(1);
    expect((await widgetData(user, 'main', 'total', { filters: {} })).json().meta.cache).toBe('hit');
    await expect(app.services.runner.invalidate(['nope'])).rejects.toThrow(/unknown dataset/);
  });

  test('ETag and Cache-Control follow freshness; a current If-None-Match gets a bodiless 304', async () => {
    const body = { filters: { price: { min: 3 } } };
    const first = await widgetData(user, 'main', 'share', body);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);
    const maxAge = Number(/max-age=(\d+)/.exec(String(first.headers['cache-control']))?.[1]);
    expect(String(first.headers['cache-control'])).toMatch(/^private, max-age=\d+$/);
    expect(maxAge).toBeGreaterThan(290); // medium: 5 minutes
    expect(maxAge).toBeLessThanOrEqual(300);

    const revalidated = await user.inject({
      method: 'POST',
      url: '/api/v1/dashboards/main/widgets/share/data',
      payload: body,
      headers: { 'if-none-match': etag },
    });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');

    const otherFilter = await user.inject({
      method: 'POST',
      url: '/api/v1/dashboards/main/widgets/share/data',
      payload: { filters: { price: { min: 4 } } },
      headers: { 'if-none-match': etag },
    });
    expect(otherFilter.statusCode).toBe(200);
    expect(otherFilter.headers.etag).not.toBe(etag);

    await app.services.runner.invalidate(['items']);
    const changed = await user.inject({
      method: 'POST',
      url: '/api/v1/dashboards/main/widgets/share/data',
      payload: body,
      headers: { 'if-none-match': etag },
    });
    expect(changed.statusCode).toBe(200);
  });

  test('a live dataset runs every time and is never reused by the browser', async () => {
    const before = await executions(app, 'canary');
    const a = await widgetData(user, 'main', 'canary_rows');
    const b = await widgetData(user, 'main', 'canary_rows');
    expect((await executions(app, 'canary')) - before).toBe(2);
    expect(a.json().meta.cache).toBe('live');
    expect(b.json().meta.cache).toBe('live');
    expect(b.headers['cache-control']).toBe('private, no-cache');
  });

  test('a live result’s ETag names its rows: changed rows never get a 304, unchanged ones may', async () => {
    const revalidate = (widget: string, etag: string) =>
      user.inject({
        method: 'POST',
        url: `/api/v1/dashboards/live/widgets/${widget}/data`,
        payload: { filters: {} },
        headers: { 'if-none-match': etag },
      });
    const first = await widgetData(user, 'live', 'clock');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);
    // The clock moved: new rows, so the old tag must not match (it did when every live run was tagged alike).
    const next = await revalidate('clock', etag);
    expect(next.statusCode).toBe(200);
    expect(next.json().rows).not.toEqual(first.json().rows);
    expect(next.headers.etag).not.toBe(etag);
    // The canary's rows never change: its revalidation is a 304 with no body.
    const canary = await widgetData(user, 'live', 'canary');
    expect(canary.headers['cache-control']).toBe('private, no-cache');
    const unchanged = await revalidate('canary', String(canary.headers.etag));
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
    // Two live widgets over two datasets never share a tag, nor does the same canary on two dashboards.
    const mainCanary = await widgetData(user, 'main', 'canary_rows');
    expect(new Set([etag, canary.headers.etag, mainCanary.headers.etag, next.headers.etag]).size).toBe(4);
  });

  test('the definition tells the browser each widget’s freshness', async () => {
    const def = (await user.inject({ url: '/api/v1/dashboards/main' })).json();
    const byId = new Map<string, { freshnessMs: number }>(
      def.widgets.map((w: { id: string; freshnessMs: number }) => [w.id, w]),
    );
    expect(byId.get('total')?.freshnessMs).toBe(300_000);
    expect(byId.get('canary_rows')?.freshnessMs).toBe(0);
    expect(byId.get('note')?.freshnessMs).toBe(0);
  });

  test('/metrics exposes executions and cache results', async () => {
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/trellis_query_executions_total\{source="main",dataset="items"\} \d+/);
    expect(text).toMatch(/trellis_cache_requests_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/trellis_cache_bytes [1-9]/);
    expect(text).toMatch(/trellis_source_circuit_state\{source="main"\} 0/);
  });
});
