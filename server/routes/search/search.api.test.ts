import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { ORDER_ROWS, createTenantFixture, type TenantFixture } from '../../../test/tenant-fixture.js';
import { MAX_SEARCH_HITS, MAX_SEARCH_QUERY, type SearchResponse } from '../../../contract/index.js';

/**
 * GET /api/v1/search on the tenant fixture (DuckDB): the `ops` dashboard's region filter and an
 * admin-only dashboard's status filter are declared `search: true`. Organisations' rows share one
 * table, so a leak would show as another organisation's values.
 */
const valuesOf = (org: string, key: 'region' | 'status') =>
  [...new Set(ORDER_ROWS.filter((r) => r.org === org).map((r) => r[key]))].sort();

describe('search', () => {
  let fixture: TenantFixture;
  let app: TestApp;
  let close: () => Promise<void>;
  let atlasViewer: SignedIn;
  let atlasAdmin: SignedIn;
  let beacon: SignedIn;

  beforeAll(async () => {
    fixture = await createTenantFixture('duckdb', '');
    writeFileSync(
      path.join(fixture.dir, 'dashboards', 'finder.yaml'),
      `title: Finder
dataset: orders
filters:
  - { id: region, type: multi_select, label: Region, column: region, search: true }
  - { id: placed, type: date_range, label: Placed, column: placed }
widgets:
  - { id: list, type: table, title: Orders, columns: [id, region, status], page_size: 10 }
`,
    );
    writeFileSync(
      path.join(fixture.dir, 'dashboards', 'secret.yaml'),
      `title: Secret
dataset: orders
roles: [admin]
filters:
  - { id: status, type: text, label: Status, column: status, search: true }
widgets:
  - { id: list, type: table, title: Orders, columns: [id, status], page_size: 10 }
`,
    );
    ({ app, close } = await startApp(fixture.dir, { environment: fixture.environment }));
    atlasViewer = await loginAs(app, { org: 'atlas', role: 'viewer' });
    atlasAdmin = await loginAs(app, { org: 'atlas', role: 'admin' });
    beacon = await loginAs(app, { org: 'beacon', role: 'viewer' });
  }, 60_000);
  afterAll(async () => {
    await close?.();
    await fixture?.teardown();
  });

  const find = async (who: SignedIn, q: string) => {
    const res = await who.inject(`/api/v1/search?${new URLSearchParams({ q })}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as SearchResponse;
  };

  test('a hit names the dashboard and filter to open, with the count of rows the viewer may read', async () => {
    const res = await find(atlasViewer, 'nor');
    expect(res.hits).toEqual([
      {
        dashboard: 'finder',
        dashboardTitle: 'Finder',
        filter: 'region',
        filterLabel: 'Region',
        value: 'north',
        count: ORDER_ROWS.filter((r) => r.org === 'atlas' && r.region === 'north').length,
      },
    ]);
  });

  test("another organisation's values never appear, even the ones it shares a name with", async () => {
    // "secret" and "north" are dormant's; "west" and "central" beacon's; "hub" both atlas' and beacon's.
    for (const q of ['secret', 'west', 'central']) expect((await find(atlasViewer, q)).hits).toEqual([]);
    expect((await find(beacon, 'north')).hits).toEqual([]);
    const hub = await find(beacon, 'hub');
    expect(hub.hits.map((h) => [h.value, h.count])).toEqual([
      ['hub', ORDER_ROWS.filter((r) => r.org === 'beacon' && r.region === 'hub').length],
    ]);
    // Every single-letter search returns only the organisation's own values.
    for (const q of 'aeiouhnst') {
      const got = (await find(beacon, q)).hits.map((h) => h.value);
      for (const v of got) expect(valuesOf('beacon', 'region')).toContain(v);
    }
  });

  test('a viewer searches only the dashboards their role may open', async () => {
    // Status values live only on the admin-only dashboard's searchable filter.
    expect((await find(atlasViewer, 'pending')).hits).toEqual([]);
    const admin = await find(atlasAdmin, 'pending');
    expect(admin.hits.map((h) => [h.dashboard, h.filter, h.value])).toEqual([
      ['secret', 'status', 'pending'],
    ]);
  });

  test('exact and prefix matches come first', async () => {
    // Atlas statuses: open, closed, pending. "open" is exact for one and inside none else; "en" is
    // inside "open" and "pending" but starts neither; "o" starts "open" only.
    const o = await find(atlasAdmin, 'o');
    expect(o.hits[0]?.value).toMatch(/^o/);
    const exact = await find(atlasAdmin, 'OPEN');
    expect(exact.hits[0]?.value).toBe('open');
  });

  test('rate-limited per user like the data API: the same bucket as widget data', async () => {
    const limited = await startApp(fixture.dir, {
      environment: fixture.environment,
      dataRateLimit: { perSecond: 0.01, burst: 2 },
    });
    try {
      const who = await loginAs(limited.app, { org: 'atlas', role: 'viewer' });
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await who.inject('/api/v1/search?q=north')).statusCode);
      expect(codes).toEqual([200, 200, 429]);
      const widget = await who.inject({
        method: 'POST',
        url: '/api/v1/dashboards/finder/widgets/list/data',
        payload: { filters: {} },
      });
      expect(widget.statusCode).toBe(429);
      // Someone else's bucket is their own.
      const other = await loginAs(limited.app, { org: 'beacon', role: 'viewer' });
      expect((await other.inject('/api/v1/search?q=hub')).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  test('a stranger is asked to sign in', async () => {
    const res = await app.inject('/api/v1/search?q=north');
    expect(res.statusCode).toBe(401);
  });

  test('empty, too long and odd queries: refused or answered safely, never run as SQL', async () => {
    expect((await atlasViewer.inject('/api/v1/search?q=')).statusCode).toBe(400);
    expect((await atlasViewer.inject('/api/v1/search?q=%20%20')).statusCode).toBe(400);
    expect((await atlasViewer.inject('/api/v1/search')).statusCode).toBe(400);
    const long = await atlasViewer.inject(`/api/v1/search?q=${'n'.repeat(MAX_SEARCH_QUERY + 1)}`);
    expect(long.statusCode).toBe(400);
    // LIKE wildcards match themselves: no region contains "%" or "_".
    for (const q of ['%', '_', '%%', 'n_rth', 'no%', '\\', "' OR 1=1 --", "north'; DROP TABLE x; --"])
      expect((await find(atlasViewer, q)).hits, q).toEqual([]);
    for (const q of ['日本', '\u0000north', 'ñ', '🙂'])
      expect(
        (await find(atlasViewer, q)).hits.every((h) => valuesOf('atlas', 'region').includes(h.value)),
      ).toBe(true);
    expect((await find(atlasViewer, 'x'.repeat(MAX_SEARCH_QUERY))).hits).toEqual([]);
    // The table is still there and whole.
    const all = await find(atlasViewer, 'h');
    expect(all.hits.length).toBeLessThanOrEqual(MAX_SEARCH_HITS);
    expect(all.hits.map((h) => h.value).sort()).toEqual(['hub', 'north', 'south'].sort());
  });
});
