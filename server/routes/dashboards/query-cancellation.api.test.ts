import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';

// A dataset whose query runs for minutes unless interrupted.
const overrides = {
  'trellis.yaml': `name: slow
title: Slow
sources:
  main: { type: duckdb, path: data/mini.duckdb, pool: { size: 2, queue: 10 } }
limits: { query_timeout: 30s, max_rows: 1000, max_bytes: 1MB }
`,
  'sql/slow.sql': 'SELECT a.range % 3 AS k, count(*) AS n FROM range(200000000000) AS a GROUP BY 1',
  'datasets/slow.yaml':
    'sql: sql/slow.sql\nshared: true\ncolumns:\n  k: { type: number }\n  n: { type: number }\nmeasures:\n  total: { agg: sum, column: n }\n',
  'dashboards/slow.yaml':
    'title: Slow\ndataset: slow\nwidgets:\n  - { id: total, type: kpi, title: Total, measure: total }\n',
};

let app: TestApp;
/** Dashboards need a signed-in user; the mini project's datasets are shared, so any organisation will do. */
let user: SignedIn;
let close: () => Promise<void>;

beforeAll(async () => {
  const mini = await createMiniProject(overrides);
  ({ app, close } = await startApp(mini.dir));
  user = await loginAs(app, { org: 'acme', role: 'viewer' });
});
afterAll(async () => close?.());

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return condition();
}

test('a client that disconnects cancels its statement on the engine', async () => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const engine = app.services.engines.get('main');
  const req = http.request({
    port,
    host: '127.0.0.1',
    method: 'POST',
    path: '/api/v1/dashboards/slow/widgets/total/data',
    headers: { 'content-type': 'application/json', cookie: user.cookie, 'x-csrf-token': user.csrf },
  });
  req.on('error', () => {}); // we are the ones hanging up
  req.end(JSON.stringify({ filters: {} }));
  expect(await until(() => engine?.stats().inFlight === 1, 5_000)).toBe(true);
  req.destroy();
  // The statement is interrupted within moments, not left to run for minutes.
  expect(await until(() => engine?.stats().inFlight === 0, 3_000)).toBe(true);
  const metrics = (await app.inject({ url: '/metrics' })).body;
  expect(metrics).toMatch(
    /trellis_query_duration_seconds_count\{source="main",dataset="slow",outcome="QUERY_CANCELLED"\} 1/,
  );
});

test('a statement past the timeout is stopped and answered 504 QUERY_TIMEOUT', async () => {
  // Shorten the limit on the loaded project: the same engine and route, a 300 ms budget.
  const limits = app.services.project.limits as { queryTimeoutMs: number };
  limits.queryTimeoutMs = 300;
  const started = Date.now();
  const res = await widgetData(user, 'slow', 'total');
  expect(res.statusCode).toBe(504);
  expect(res.json()).toMatchObject({ error: 'QUERY_TIMEOUT' });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(app.services.engines.get('main')?.stats().inFlight).toBe(0);
});
