import { afterAll, beforeAll, expect, test } from 'vitest';
import { defaultConfig } from '../config/env.js';
import type { SessionInfo } from '../../contract/index.js';
import {
  RENDER_HEADER,
  mintRenderCredential,
  verifyRenderCredential,
  type RenderClaims,
} from '../auth/render-credential.js';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../test/app-harness.js';
import { ORDER_ROWS, createTenantFixture, type TenantFixture } from '../../test/tenant-fixture.js';

/**
 * The render credential the PDF worker's Chromium carries (auth/render-credential.ts), tried as an
 * attacker would: it reads its one dashboard for its one user and organisation, and nothing else —
 * not another dashboard, not any other route, not a write, not after expiry, not forged or re-signed,
 * not mixed with another credential.
 */
let fixture: TenantFixture;
let app: TestApp;
let close: () => Promise<void>;
let secret: string;
let viewer: SignedIn;
let me: SessionInfo;

beforeAll(async () => {
  fixture = await createTenantFixture('duckdb', '');
  secret = 'render-test-secret-9f3a7c1e5b2d4a6f8e0c';
  ({ app, close } = await startApp(fixture.dir, { sessions: { ...defaultConfig().sessions, secret } }));
  viewer = await loginAs(app, { org: 'beacon', role: 'viewer' });
  await loginAs(app, { org: 'atlas', role: 'viewer' });
  me = (await viewer.inject({ url: '/api/v1/session' })).json<SessionInfo>();
}, 60_000);

afterAll(async () => {
  await close?.();
  await fixture?.teardown();
});

const claimsFor = (dashboard: string) => ({
  user: me.user,
  organisation: me.organisation,
  role: me.role,
  dashboard,
});
const mint = (dashboard = 'ops', now = Date.now(), ttl?: number) =>
  mintRenderCredential(secret, claimsFor(dashboard), now, ttl);
const as = (credential: string, extra: Record<string, string> = {}) => ({
  [RENDER_HEADER]: credential,
  ...extra,
});
const data = (credential: string, dashboard = 'ops', widget = 'total', extra = {}) =>
  app.inject({
    method: 'POST',
    url: `/api/v1/dashboards/${dashboard}/widgets/${widget}/data`,
    headers: as(credential, extra),
    payload: { filters: {} },
  });

test('reads its dashboard: the definition, filter options and widget data, of its organisation only', async () => {
  const credential = mint();
  const def = await app.inject({ url: '/api/v1/dashboards/ops', headers: as(credential) });
  expect(def.statusCode).toBe(200);
  expect(def.json<{ title: string }>().title).toBe('Operations');
  const options = await app.inject({
    url: '/api/v1/dashboards/ops/filters/region/options',
    headers: as(credential),
  });
  expect(options.statusCode).toBe(200);
  const total = await data(credential);
  expect(total.statusCode).toBe(200);
  // beacon's rows only: the credential carries the tenant, the query applies its predicate.
  const beacon = ORDER_ROWS.filter((r) => r.org === 'beacon').length;
  expect(beacon).not.toBe(ORDER_ROWS.length);
  expect(JSON.stringify(total.json())).toContain(`[${beacon}]`);
  expect(JSON.stringify(total.json())).not.toContain(`[${ORDER_ROWS.length}]`);
});

test('not another dashboard, nor the list of dashboards', async () => {
  const credential = mint('ops');
  expect((await app.inject({ url: '/api/v1/dashboards/admin', headers: as(credential) })).statusCode).toBe(
    403,
  );
  expect((await data(credential, 'admin')).statusCode).toBe(403);
  expect((await app.inject({ url: '/api/v1/dashboards', headers: as(credential) })).statusCode).toBe(403);
});

test('not any other route, and never a write', async () => {
  const credential = mint();
  const origin = { origin: 'http://localhost' };
  for (const r of [
    { method: 'GET' as const, url: '/api/v1/exports' },
    { method: 'GET' as const, url: '/api/v1/audit' },
    { method: 'GET' as const, url: '/api/v1/admin/members' },
    { method: 'GET' as const, url: '/api/v1/tokens' },
    {
      method: 'POST' as const,
      url: '/api/v1/exports',
      payload: { dashboard: 'ops', widget: 'list', format: 'csv', filters: {} },
    },
    { method: 'POST' as const, url: '/api/v1/tokens', payload: { name: 'x' } },
    { method: 'DELETE' as const, url: '/api/v1/session' },
  ]) {
    const res = await app.inject({ ...r, headers: as(credential, origin) });
    expect([401, 403, 404], `${r.method} ${r.url}`).toContain(res.statusCode);
    expect(res.statusCode, `${r.method} ${r.url}`).not.toBe(200);
  }
  // The session route does not turn a render credential into a session.
  const whoami = await app.inject({ url: '/api/v1/session', headers: as(credential) });
  expect(whoami.statusCode).toBe(403);
});

test('not after it expires', async () => {
  const old = mint('ops', Date.now() - 3 * 60_000);
  const res = await data(old);
  expect(res.statusCode).toBe(401);
  expect(res.body).toContain('UNAUTHENTICATED');
  expect(verifyRenderCredential(secret, old, Date.now())).toEqual({ ok: false, reason: 'expired' });
});

test('not forged: claims changed to another organisation or dashboard, or signed with another secret', async () => {
  const credential = mint();
  const [prefix, mac] = [credential.slice(0, credential.lastIndexOf('.')), credential.split('.').pop()!];
  const claims = JSON.parse(Buffer.from(prefix.slice(5), 'base64url').toString()) as RenderClaims;
  const atlas = (await app.services.accounts.listOrganisations()).find((o) => o.slug === 'atlas')!;
  for (const changed of [
    { ...claims, organisation: { ...claims.organisation, id: atlas.id, slug: 'atlas' } },
    { ...claims, dashboard: 'admin' },
    { ...claims, role: 'admin' },
    { ...claims, expiresAt: claims.expiresAt + 3_600_000 },
  ]) {
    const forged = `trr1.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${mac}`;
    expect((await data(forged)).statusCode).toBe(401);
  }
  const otherSecret = mintRenderCredential('another-secret-another-secret-42', claimsFor('ops'), Date.now());
  expect((await data(otherSecret)).statusCode).toBe(401);
  expect((await data('trr1.garbage')).statusCode).toBe(401);
  expect((await data('x'.repeat(5_000))).statusCode).toBe(401);
});

test('not mixed with another credential: with an Authorization header it is refused', async () => {
  const res = await data(mint(), 'ops', 'total', { authorization: 'Bearer trl_whatever' });
  expect(res.statusCode).toBe(401);
});

test('a stranger without it is still refused, and a viewer session still works as before', async () => {
  expect(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/dashboards/ops/widgets/total/data',
        payload: { filters: {} },
      })
    ).statusCode,
  ).toBe(401);
  expect((await viewer.inject({ url: '/api/v1/dashboards/ops' })).statusCode).toBe(200);
});
