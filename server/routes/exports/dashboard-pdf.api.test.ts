import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ExportFile } from '../../../contract/index.js';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { createTenantFixture, type TenantFixture } from '../../../test/tenant-fixture.js';

/**
 * Dashboard PDF jobs through the API, as an attacker would try them (the rendering itself is tested
 * in Chromium: e2e/dashboard-pdf.e2e.test.ts; the worker is not started here, so jobs stay queued):
 * asked only by a member who sees the dashboard, with the dashboard's own filters; seen, cancelled
 * and downloaded only by the requester and their organisation's admins — never a colleague, another
 * organisation or a stranger.
 */
let fixture: TenantFixture;
let app: TestApp;
let close: () => Promise<void>;
let dir: string;
let requester: SignedIn;
let colleague: SignedIn;
let admin: SignedIn;
let otherAdmin: SignedIn;

beforeAll(async () => {
  fixture = await createTenantFixture('duckdb', '');
  dir = mkdtempSync(path.join(tmpdir(), 'trellis-pdf-jobs-'));
  ({ app, close } = await startApp(fixture.dir, { exports: { dir, jobRows: 50, keepMs: 3_600_000 } }));
  requester = await loginAs(app, { org: 'beacon', role: 'viewer' });
  colleague = await loginAs(app, { org: 'beacon', role: 'viewer', email: 'colleague@beacon.test' });
  admin = await loginAs(app, { org: 'beacon', role: 'admin' });
  otherAdmin = await loginAs(app, { org: 'atlas', role: 'admin' });
}, 60_000);

afterAll(async () => {
  await close?.();
  await fixture?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ask = (who: SignedIn, body: object) =>
  who.inject({ method: 'POST', url: '/api/v1/exports/pdf', payload: { dashboard: 'ops', ...body } });

test('a member asks for a PDF of a dashboard they see: a queued job listed with their exports', async () => {
  const r = await ask(requester, { paper: 'Letter', orientation: 'landscape', query: '?region=hub' });
  expect(r.statusCode).toBe(202);
  const job = r.json<ExportFile>();
  expect(job).toMatchObject({ format: 'pdf', dashboard: 'ops', status: 'queued', mine: true });
  expect(job.fileName).toMatch(/^ops-\d{4}-\d{2}-\d{2}\.pdf$/);
  const mine = (await requester.inject('/api/v1/exports')).json<{ exports: ExportFile[] }>().exports;
  expect(mine.map((e) => e.id)).toContain(job.id);
  // The organisation's admin sees it too; a colleague and another organisation do not.
  expect((await admin.inject(`/api/v1/exports/${job.id}`)).statusCode).toBe(200);
  for (const who of [colleague, otherAdmin]) {
    expect((await who.inject(`/api/v1/exports/${job.id}`)).statusCode).toBe(404);
    expect((await who.inject(`/api/v1/exports/${job.id}/download`)).statusCode).toBe(404);
    expect((await who.inject({ method: 'POST', url: `/api/v1/exports/${job.id}/cancel` })).statusCode).toBe(
      404,
    );
    const listed = (await who.inject('/api/v1/exports')).json<{ exports: ExportFile[] }>().exports;
    expect(listed.map((e) => e.id)).not.toContain(job.id);
  }
  // Not ready yet (no worker here): the requester's download says so.
  expect((await requester.inject(`/api/v1/exports/${job.id}/download`)).statusCode).toBe(409);
  // A stranger gets nothing.
  expect((await app.inject(`/api/v1/exports/${job.id}`)).statusCode).toBe(401);
  const c = await requester.inject({ method: 'POST', url: `/api/v1/exports/${job.id}/cancel` });
  expect(c.json<ExportFile>().status).toBe('cancelled');
});

test('refused: a stranger, a dashboard the role does not see, another filter, a bad paper or query', async () => {
  const stranger = await app.inject({
    method: 'POST',
    url: '/api/v1/exports/pdf',
    payload: { dashboard: 'ops' },
    headers: { origin: 'http://localhost' },
  });
  expect(stranger.statusCode).toBe(401);
  // The admin-only dashboard does not exist for a viewer, but does for an admin.
  expect((await ask(requester, { dashboard: 'admin' })).statusCode).toBe(404);
  expect((await ask(admin, { dashboard: 'admin' })).statusCode).toBe(202);
  expect((await ask(requester, { dashboard: 'nope' })).statusCode).toBe(404);
  const unknown = await ask(requester, { query: '?region=hub&org=atlas' });
  expect(unknown.statusCode).toBe(400);
  expect(unknown.body).toContain('UNKNOWN_FILTER');
  expect((await ask(requester, { paper: 'A3' })).statusCode).toBe(400);
  expect((await ask(requester, { orientation: 'sideways' })).statusCode).toBe(400);
  expect((await ask(requester, { query: 'region=hub' })).statusCode).toBe(400);
  expect((await ask(requester, { query: `?q=${'x'.repeat(5_000)}` })).statusCode).toBe(400);
});
