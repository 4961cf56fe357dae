import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createTenantFixture, type TenantFixture } from '../../../test/tenant-fixture.js';

/**
 * "Refresh now, bypassing the cache" (widget data `refresh: true`): honoured for editors and admins,
 * ignored for viewers (server-enforced: a viewer's request is answered from the cache as usual).
 * The fixture's datasets are cached for an hour, so only a bypass runs the query again.
 */
let fixture: TenantFixture;
let app: TestApp;
let close: () => Promise<void>;
let viewer: SignedIn;
let editor: SignedIn;
let outsider: SignedIn;

beforeAll(async () => {
  fixture = await createTenantFixture('duckdb', '');
  ({ app, close } = await startApp(fixture.dir, { environment: fixture.environment }));
  viewer = await loginAs(app, { org: 'beacon', role: 'viewer' });
  editor = await loginAs(app, { org: 'beacon', role: 'editor' });
  outsider = await loginAs(app, { org: 'atlas', role: 'editor' });
}, 60_000);
afterAll(async () => {
  await close?.();
  await fixture?.teardown();
});

type Meta = { cache: string; asOf: string };
const ask = async (as: SignedIn, refresh?: boolean) => {
  const res = await widgetData(as, 'ops', 'total', { filters: {}, ...(refresh ? { refresh } : {}) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { rows: number[][]; meta: Meta };
};
const executions = async () => {
  const text = (await app.inject('/metrics')).body;
  return [...text.matchAll(/^trellis_query_executions_total\{[^}]*dataset="orders"[^}]*\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
};

describe('refresh now', () => {
  test('an editor reads the source again; the next reader gets that new result from the cache', async () => {
    const first = await ask(editor);
    expect((await ask(editor)).meta.cache).toBe('hit');
    const before = await executions();
    await new Promise((r) => setTimeout(r, 5)); // so the new result's time differs from the old one's
    const refreshed = await ask(editor, true);
    expect(refreshed.meta.cache).toBe('miss');
    expect(await executions()).toBe(before + 1);
    expect(Date.parse(refreshed.meta.asOf)).toBeGreaterThan(Date.parse(first.meta.asOf));
    expect(refreshed.rows).toEqual(first.rows);
    // The refreshed result is the cached one now, for everyone of the organisation.
    const after = await ask(viewer);
    expect([after.meta.cache, after.meta.asOf]).toEqual(['hit', refreshed.meta.asOf]);
  });

  test('a viewer asking is served from the cache: nothing runs', async () => {
    const cached = await ask(viewer);
    const before = await executions();
    const again = await ask(viewer, true);
    expect([again.meta.cache, again.meta.asOf]).toEqual(['hit', cached.meta.asOf]);
    expect(await executions()).toBe(before);
  });

  test("an editor of another organisation refreshes only their own organisation's result", async () => {
    const mine = await ask(viewer);
    const theirs = await ask(outsider, true);
    expect(theirs.meta.cache).toBe('miss');
    expect(theirs.rows).not.toEqual(mine.rows); // their own count, not beacon's
    const still = await ask(viewer);
    expect([still.meta.cache, still.meta.asOf]).toEqual(['hit', mine.meta.asOf]);
  });

  test('a stranger is asked to sign in', async () => {
    const res = await widgetData(app, 'ops', 'total', { filters: {}, refresh: true });
    expect(res.statusCode).toBe(401);
  });
});
