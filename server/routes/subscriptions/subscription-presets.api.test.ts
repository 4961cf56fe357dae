import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FilterPreset, ReportDelivery, Subscription } from '../../../contract/index.js';
import { defaultConfig } from '../../config/env.js';
import { loginAs, startApp, type SignedIn, type TestApp } from '../../../test/app-harness.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../../test/smtp-test-server.js';
import { ORDER_ROWS, createTenantFixture, type TenantFixture } from '../../../test/tenant-fixture.js';

/**
 * Subscriptions that name a saved filter preset instead of their own filters: each delivery reads
 * the preset as it is then, as the subscriber may see it. Real app, store queue and worker, the
 * multi-tenant DuckDB fixture and a real SMTP server; due ticks come from moving the app's clock.
 */
let fixture: TenantFixture;
let app: TestApp;
let close: () => Promise<void>;
let smtp: SmtpTestServer;
let clock = Date.parse('2026-03-02T06:00:00Z');
let requester: SignedIn;
let colleague: SignedIn;
let admin: SignedIn;
let otherAdmin: SignedIn;

const DAY = 86_400_000;

beforeAll(async () => {
  fixture = await createTenantFixture('duckdb', '');
  smtp = await startSmtpTestServer();
  ({ app, close } = await startApp(
    fixture.dir,
    {
      mail: { smtpUrl: smtp.url, from: 'reports@example.test', publicOrigin: 'https://trellis.example.test' },
      reports: { webhookAllow: '', maxBytes: 1_000_000, pollMs: 50 },
      sessions: { ...defaultConfig().sessions, idleMs: 100 * DAY, absoluteMs: 100 * DAY },
    },
    { now: () => clock },
  ));
  requester = await loginAs(app, { org: 'beacon', role: 'viewer' });
  colleague = await loginAs(app, { org: 'beacon', role: 'viewer', email: 'colleague@beacon.test' });
  admin = await loginAs(app, { org: 'beacon', role: 'admin' });
  otherAdmin = await loginAs(app, { org: 'atlas', role: 'admin' });
  app.services.jobs.startWorker();
}, 60_000);

afterAll(async () => {
  await close?.();
  await smtp?.close();
  await fixture?.teardown();
});

async function savePreset(who: SignedIn, filters: object, shared = false): Promise<FilterPreset> {
  const r = await who.inject({
    method: 'POST',
    url: '/api/v1/dashboards/ops/presets',
    payload: { name: `p${Math.random().toString(36).slice(2, 8)}`, filters, shared },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as FilterPreset;
}

const subscribe = (who: SignedIn, body: object) =>
  who.inject({
    method: 'POST',
    url: '/api/v1/subscriptions',
    payload: {
      dashboard: 'ops',
      widget: 'list',
      format: 'csv',
      schedule: '0 8 * * *',
      timeZone: 'UTC',
      channel: 'email',
      ...body,
    },
  });

/** Moves the clock to the subscription's next tick and waits for that tick's delivery to settle. */
async function runTick(who: SignedIn, sub: Subscription): Promise<ReportDelivery> {
  const tick = sub.nextRunAt ?? '';
  clock = Date.parse(tick);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await who.inject(`/api/v1/subscriptions/${sub.id}/deliveries`);
    const d = (r.json() as { deliveries: ReportDelivery[] }).deliveries.find((x) => x.tick === tick);
    if (d && (d.status === 'sent' || d.status === 'failed')) return d;
    if (Date.now() > deadline) throw new Error(`delivery of ${sub.id} stayed ${d?.status ?? 'absent'}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const idsOf = (csv: string) =>
  csv
    .trim()
    .split('\r\n')
    .slice(1)
    .map((line) => Number(line.split(',')[0]))
    .sort((a, b) => a - b);
const beaconIn = (region: string) =>
  ORDER_ROWS.filter((r) => r.org === 'beacon' && r.region === region)
    .map((r) => r.id)
    .sort((a, b) => a - b);

test('a delivery uses the preset as it is at delivery time, not as it was when subscribing', async () => {
  const preset = await savePreset(requester, { region: ['hub'] });
  const r = await subscribe(requester, { preset: preset.id });
  expect(r.statusCode, r.body).toBe(201);
  const sub = (r.json() as { subscription: Subscription }).subscription;
  expect(sub).toMatchObject({ preset: preset.id, filters: null, query: null });

  // The owner re-saves the preset after subscribing: the report follows it.
  const changed = await requester.inject({
    method: 'PATCH',
    url: `/api/v1/dashboards/ops/presets/${preset.id}`,
    payload: { filters: { region: ['west'] } },
  });
  expect(changed.statusCode, changed.body).toBe(200);
  const before = smtp.accepted.length;
  const d = await runTick(requester, sub);
  expect(d).toMatchObject({ status: 'sent', error: null });
  expect(smtp.accepted.length).toBe(before + 1);
  const csv = smtp.accepted.at(-1)?.attachments[0]?.content.toString('utf8') ?? '';
  expect(beaconIn('west').length).toBeGreaterThan(0);
  expect(idsOf(csv)).toEqual(beaconIn('west'));
  expect(csv).not.toContain('"hub"');
  expect(csv).not.toContain('"atlas"');

  // Deleted since: the next delivery fails, logged with the preset's error, and sends nothing.
  expect(
    (await requester.inject({ method: 'DELETE', url: `/api/v1/dashboards/ops/presets/${preset.id}` }))
      .statusCode,
  ).toBe(204);
  const list = (await requester.inject('/api/v1/subscriptions')).json() as { subscriptions: Subscription[] };
  const next = list.subscriptions.find((s) => s.id === sub.id) as Subscription;
  const sent = smtp.accepted.length;
  const failed = await runTick(requester, next);
  expect(failed).toMatchObject({ status: 'failed', error: { code: 'PRESET_NOT_FOUND' } });
  expect(smtp.accepted.length).toBe(sent);
});

test("another member's personal preset and another organisation's preset answer 404; a shared one serves all members", async () => {
  const personal = await savePreset(requester, { region: ['hub'] });
  for (const who of [colleague, admin, otherAdmin]) {
    const r = await subscribe(who, { preset: personal.id });
    expect(r.statusCode, r.body).toBe(404);
    expect((r.json() as { error: string }).error).toBe('PRESET_NOT_FOUND');
  }
  // Ids that are not presets at all get the same answer (no existence oracle).
  for (const id of ['prs_AAAAAAAAAAAAAAAAAAAAAA', 'nonsense'])
    expect((await subscribe(requester, { preset: id })).statusCode).toBe(404);

  const shared = await savePreset(admin, { region: ['central'] }, true);
  expect((await subscribe(otherAdmin, { preset: shared.id })).statusCode).toBe(404);
  const r = await subscribe(colleague, { preset: shared.id });
  expect(r.statusCode, r.body).toBe(201);
  const sub = (r.json() as { subscription: Subscription }).subscription;
  const d = await runTick(colleague, sub);
  expect(d.status).toBe('sent');
  const csv = smtp.accepted.at(-1)?.attachments[0]?.content.toString('utf8') ?? '';
  expect(idsOf(csv)).toEqual(beaconIn('central'));
});

test('a preset with filters of its own is refused; a PDF report may name a preset too', async () => {
  const preset = await savePreset(requester, { region: ['hub'], amount: { min: 10 } });
  const both = await subscribe(requester, { preset: preset.id, filters: { region: ['west'] } });
  expect(both.statusCode).toBe(400);
  expect((both.json() as { error: string }).error).toBe('VALIDATION_FAILED');
  const pdf = await subscribe(requester, { preset: preset.id, format: 'pdf', widget: undefined });
  expect(pdf.statusCode, pdf.body).toBe(201);
  expect((pdf.json() as { subscription: Subscription }).subscription).toMatchObject({
    format: 'pdf',
    preset: preset.id,
    query: null,
  });
});
