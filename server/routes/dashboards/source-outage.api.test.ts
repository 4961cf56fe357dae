import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import {
  dropPostgres,
  fixtureTables,
  loadPostgres,
  type FixtureTables,
} from '../../../test/engine-fixture.js';
import { executions } from '../../../test/metrics-reader.js';
import { TcpProxy, targetOf } from '../../../test/tcp-proxy.js';
import { serviceGate } from '../../../test/test-services.js';

/**
 * A PostgreSQL source goes away while the server runs (a TCP proxy in front of the real server stops
 * listening and severs every connection, as a stopped server would, without disturbing the other test
 * files that share it): widgets with a cached result answer 200 marked `stale` with the time of their
 * data; widgets without one answer SOURCE_UNAVAILABLE; once the source is back, fresh data returns
 * without a restart (the circuit breaker's probe closes it).
 */
const gate = await serviceGate('postgres', 'the source-outage API test (stale-if-error, circuit breaker)');

const FRESH_MS = 300;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(gate.available)('a PostgreSQL source that goes down and comes back', () => {
  let app: TestApp;
  /** Dashboards need a signed-in user; the mini project's datasets are shared, so any organisation will do. */
  let user: SignedIn;
  let close: () => Promise<void>;
  let proxy: TcpProxy;
  let tables: FixtureTables;

  beforeAll(async () => {
    tables = fixtureTables(`outage_${randomUUID().slice(0, 8)}_`);
    await loadPostgres(gate.url, tables);
    proxy = await TcpProxy.start(targetOf(gate.url, 5432));
    const dir = mkdtempSync(path.join(tmpdir(), 'trellis-outage-'));
    for (const d of ['datasets', 'dashboards']) mkdirSync(path.join(dir, d));
    writeFileSync(
      path.join(dir, 'trellis.yaml'),
      `name: outage
title: Outage
sources:
  pg: { type: postgres, url_env: OUTAGE_PG_URL, pool: { size: 2, acquire_timeout: 1s } }
limits: { query_timeout: 5s, max_rows: 1000, max_bytes: 1MB }
`,
    );
    writeFileSync(
      path.join(dir, 'datasets', 'items.yaml'),
      `source: pg
table: ${tables.items}
freshness: ${FRESH_MS}ms
shared: true
columns:
  id: { type: number }
  colour: { type: string }
measures:
  items: { agg: count }
`,
    );
    writeFileSync(
      path.join(dir, 'dashboards', 'main.yaml'),
      `title: Main
dataset: items
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour }
widgets:
  - { id: total, type: kpi, title: Items, measure: items }
  - { id: by_colour, type: bar, title: By colour, dimension: colour, measures: [items] }
`,
    );
    ({ app, close } = await startApp(dir, {
      environment: { OUTAGE_PG_URL: proxy.rewrite(gate.url) },
      breaker: { failureThreshold: 2, coolDownMs: 200 },
    }));
    user = await loginAs(app, { org: 'acme', role: 'viewer' });
  });
  afterAll(async () => {
    await close?.();
    await proxy?.stop().catch(() => undefined);
    if (gate.available) await dropPostgres(gate.url, tables);
  });

  test('cached widgets are served stale, uncached ones fail clearly, and recovery needs no restart', async () => {
    const before = await widgetData(user, 'main', 'total');
    expect(before.statusCode).toBe(200);
    expect(before.json().meta).toMatchObject({ cache: 'miss', stale: false });
    const total = before.json().rows;

    await proxy.stop();
    await wait(FRESH_MS * 3); // past freshness and the stale-while-revalidate grace

    const down = await widgetData(user, 'main', 'total');
    expect(down.statusCode).toBe(200);
    expect(down.json().rows).toEqual(total);
    expect(down.json().meta).toMatchObject({ stale: true, cache: 'stale', asOf: before.json().meta.asOf });
    expect(down.headers['cache-control']).toBe('private, no-cache');

    const uncached = await widgetData(user, 'main', 'by_colour', { filters: { colour: ['red'] } });
    expect(uncached.statusCode).toBe(503);
    expect(uncached.json()).toMatchObject({ error: 'SOURCE_UNAVAILABLE' });
    expect(uncached.json().requestId).toEqual(expect.any(String));

    // Two failures opened the circuit: further requests fail fast without touching the source.
    const accepted = proxy.accepted;
    const fast = await widgetData(user, 'main', 'by_colour', { filters: { colour: ['blue'] } });
    expect(fast.statusCode).toBe(503);
    expect(proxy.accepted).toBe(accepted);
    expect((await app.inject({ url: '/metrics' })).body).toMatch(
      /trellis_source_circuit_state\{source="pg"\} 2/,
    );

    await proxy.restart();
    const executed = await executions(app);
    let recovered: ReturnType<typeof JSON.parse> | undefined;
    for (let i = 0; i < 50 && !recovered; i++) {
      await wait(100);
      const r = await widgetData(user, 'main', 'total');
      if (r.statusCode === 200 && r.json().meta.stale === false) recovered = r.json();
    }
    expect(recovered).toBeDefined();
    expect(recovered.rows).toEqual(total);
    expect(Date.parse(recovered.meta.asOf)).toBeGreaterThan(Date.parse(before.json().meta.asOf));
    expect(await executions(app)).toBeGreaterThan(executed);
    const nowUncached = await widgetData(user, 'main', 'by_colour', { filters: { colour: ['red'] } });
    expect(nowUncached.statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).body).toMatch(
      /trellis_source_circuit_state\{source="pg"\} 0/,
    );
  });
});
