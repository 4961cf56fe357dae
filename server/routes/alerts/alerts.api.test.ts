import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AlertEvent, AlertRule } from '../../../contract/index.js';
import { MAX_ALERTS } from '../../../contract/index.js';
import type { SignedIn, TestApp } from '../../../test/app-harness.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../../../test/delivery-test-app.js';
import { ORDER_ROWS } from '../../../test/tenant-fixture.js';

/**
 * Alerts through the API on the real app, its store queue, the multi-tenant DuckDB fixture, a real
 * SMTP server and a webhook receiver on loopback (opened by the operator's allow list):
 * test/delivery-test-app.ts. Checks come from moving the app's clock past a rule's next check and
 * running the worker's poll.
 */
let t: DeliveryTestApp;
let app: TestApp;
let owner: SignedIn;
let colleague: SignedIn;
let admin: SignedIn;
let otherAdmin: SignedIn;
let otherViewer: SignedIn;

const DAY = 86_400_000;
/** The KPI `total` of the `ops` dashboard is the caller's organisation's order count. */
const beaconOrders = ORDER_ROWS.filter((r) => r.org === 'beacon').length;
const beaconHub = ORDER_ROWS.filter((r) => r.org === 'beacon' && r.region === 'hub').length;

beforeAll(async () => {
  t = await startDeliveryTestApp({ from: 'alerts@example.test', pollMs: 60_000 });
  ({ app, owner, colleague, admin, otherAdmin, otherViewer } = t);
}, 60_000);

afterAll(async () => t?.close());

const create = (who: SignedIn, body: object) =>
  who.inject({
    method: 'POST',
    url: '/api/v1/alerts',
    payload: {
      dashboard: 'ops',
      widget: 'total',
      condition: 'above',
      threshold: 10,
      everyMinutes: 5,
      channel: 'email',
      ...body,
    },
  });

const patch = (who: SignedIn, id: string, body: object) =>
  who.inject({ method: 'PATCH', url: `/api/v1/alerts/${id}`, payload: body });

async function historyOf(who: SignedIn, id: string): Promise<AlertEvent[]> {
  const r = await who.inject(`/api/v1/alerts/${id}/history`);
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { events: AlertEvent[] }).events;
}

async function ruleOf(who: SignedIn, id: string): Promise<AlertRule | undefined> {
  const r = await who.inject('/api/v1/alerts');
  return (r.json() as { alerts: AlertRule[] }).alerts.find((a) => a.id === id);
}

/** Moves the clock past every rule's next check, runs the poll, and waits for the jobs to finish. */
async function check(): Promise<number> {
  t.clock += 5 * 60_000;
  const n = await app.services.alerts.checkDue();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const open = await app.services.store.db
      .selectFrom('alert_events')
      .select('id')
      .where('status', 'in', ['pending', 'sending'])
      .execute();
    if (open.length === 0) return n;
    if (Date.now() > deadline) throw new Error(`notifications still open: ${open.length}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const subjects = (from: number) => t.smtp.accepted.slice(from).map((m) => m.subject ?? '');

describe('alerts', () => {
  let rule: AlertRule;

  test('fires once on crossing, not again while firing, resolves once; history and audit follow', async () => {
    app.services.jobs.startWorker();
    expect(beaconOrders).toBeGreaterThan(10);
    const r = await create(owner, { threshold: beaconOrders + 5 });
    expect(r.statusCode, r.body).toBe(201);
    rule = (r.json() as { alert: AlertRule }).alert;
    expect(rule).toMatchObject({ state: 'ok', mine: true, title: 'Orders', target: owner.email });
    const before = t.smtp.accepted.length;

    expect(await check()).toBe(1);
    expect(await ruleOf(owner, rule.id)).toMatchObject({ state: 'ok', lastValue: beaconOrders });
    expect(subjects(before)).toEqual([]);

    // The threshold moves below the value: the next check crosses it.
    expect((await patch(owner, rule.id, { threshold: beaconOrders - 1 })).statusCode).toBe(200);
    await check();
    expect(subjects(before)).toEqual([`Alert: Orders is ${beaconOrders}, above ${beaconOrders - 1}`]);
    expect(t.smtp.accepted.at(-1)?.messageId).toMatch(/^<ale_[A-Za-z0-9_-]{22}@trellis\.alerts>$/);
    // Still firing: nothing more is sent, however many checks.
    await check();
    await check();
    expect(subjects(before).length).toBe(1);
    expect(await ruleOf(owner, rule.id)).toMatchObject({ state: 'firing' });

    // Back under the threshold: exactly one "Resolved".
    expect((await patch(owner, rule.id, { threshold: beaconOrders + 1 })).statusCode).toBe(200);
    await check();
    await check();
    expect(subjects(before)).toEqual([
      `Alert: Orders is ${beaconOrders}, above ${beaconOrders - 1}`,
      `Resolved: Orders is ${beaconOrders}, no longer above ${beaconOrders + 1}`,
    ]);
    const history = await historyOf(owner, rule.id);
    expect(history.map((e) => [e.kind, e.status, e.attempts])).toEqual([
      ['resolve', 'sent', 1],
      ['fire', 'sent', 1],
    ]);
    const audit = await app.services.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'alert.%')
      .execute();
    const actions = audit.map((a) => a.action);
    for (const a of ['alert.create', 'alert.update', 'alert.fire', 'alert.resolve'])
      expect(actions).toContain(a);
    const metric = await app.services.metrics.alertNotifications.get();
    expect(metric.values.find((v) => v.labels.result === 'sent')?.value).toBe(2);
  });

  test('a muted rule records its transitions but sends nothing; unmuted, it sends again', async () => {
    const until = new Date(t.clock + DAY).toISOString();
    const muted = await patch(owner, rule.id, { mutedUntil: until, threshold: 1 });
    expect(muted.json()).toMatchObject({ mutedUntil: until, threshold: 1 });
    const before = t.smtp.accepted.length;
    await check();
    expect(subjects(before)).toEqual([]);
    const [last] = await historyOf(owner, rule.id);
    expect(last).toMatchObject({ kind: 'fire', status: 'muted', attempts: 0 });
    expect(await ruleOf(owner, rule.id)).toMatchObject({ state: 'firing' });
    // Unmuted and resolved: this transition is sent.
    await patch(owner, rule.id, { mutedUntil: null, threshold: beaconOrders * 2 });
    await check();
    expect(subjects(before)).toEqual([
      `Resolved: Orders is ${beaconOrders}, no longer above ${beaconOrders * 2}`,
    ]);
  });

  test('the saved filters apply, and the KPI is read as the member sees it (their organisation)', async () => {
    const r = await create(owner, { filters: { region: ['hub'] }, condition: 'below', threshold: 1 });
    expect(r.statusCode, r.body).toBe(201);
    const id = (r.json() as { alert: AlertRule }).alert.id;
    await check();
    // Atlas has many more hub orders: the value is beacon's alone.
    expect(await ruleOf(owner, id)).toMatchObject({ lastValue: beaconHub, state: 'ok' });
    const bad = await create(owner, { filters: { region: 'not-a-list' } });
    expect(bad.statusCode).toBe(400);
    const unknown = await create(owner, { filters: { nope: ['x'] } });
    expect(unknown.statusCode).toBe(400);
    await owner.inject({ method: 'DELETE', url: `/api/v1/alerts/${id}` });
  });

  test('another organisation, another member and a stranger reach nothing and change nothing', async () => {
    const id = rule.id;
    for (const who of [otherAdmin, otherViewer, colleague]) {
      const list = (await who.inject('/api/v1/alerts')).json() as { alerts: AlertRule[] };
      expect(list.alerts.map((a) => a.id)).not.toContain(id);
      for (const req of [
        { method: 'PATCH' as const, url: `/api/v1/alerts/${id}`, payload: { mutedUntil: null } },
        { method: 'DELETE' as const, url: `/api/v1/alerts/${id}` },
        { method: 'GET' as const, url: `/api/v1/alerts/${id}/history` },
      ]) {
        const r = await who.inject(req);
        expect(r.statusCode, `${req.method} ${req.url}`).toBe(404);
        expect((r.json() as { error: string }).error).toBe('ALERT_NOT_FOUND');
        expect(r.body).not.toContain(owner.email);
      }
    }
    for (const url of ['/api/v1/alerts', `/api/v1/alerts/${id}/history`])
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    // An admin of the same organisation may manage (here: delete) a member's rule.
    const mine = await ruleOf(owner, id);
    expect(mine?.threshold).toBe(beaconOrders * 2);
    const other = await create(owner, {});
    const otherId = (other.json() as { alert: AlertRule }).alert.id;
    expect((await admin.inject({ method: 'DELETE', url: `/api/v1/alerts/${otherId}` })).statusCode).toBe(204);
    expect((await owner.inject(`/api/v1/alerts/${otherId}/history`)).statusCode).toBe(404);
  });

  test('refused: a widget that is not a KPI, a hidden dashboard, bad schedules, special webhook addresses', async () => {
    const notKpi = await create(owner, { widget: 'list' });
    expect(notKpi.statusCode).toBe(400);
    expect((notKpi.json() as { error: string }).error).toBe('ALERT_WIDGET_NOT_KPI');
    expect((await create(owner, { widget: 'by_org' })).json()).toMatchObject({
      error: 'ALERT_WIDGET_NOT_KPI',
    });
    expect((await create(owner, { widget: 'nope' })).statusCode).toBe(404);
    expect((await create(otherViewer, { dashboard: 'admin' })).statusCode).toBe(404);
    for (const schedule of [
      { everyMinutes: 4 },
      { everyMinutes: undefined, cron: '* * * * *' },
      { everyMinutes: undefined, cron: '0 8 * *' },
      { everyMinutes: undefined, cron: '0 8 * * *', timeZone: 'Mars/Base' },
      { everyMinutes: 5, cron: '0 8 * * *' },
      { everyMinutes: undefined },
    ]) {
      const r = await create(owner, schedule);
      expect(r.statusCode, JSON.stringify(schedule)).toBe(400);
    }
    expect(
      (await create(owner, { everyMinutes: undefined, cron: '*/5 * * * *', timeZone: 'Europe/Paris' }))
        .statusCode,
    ).toBe(201);
    expect((await create(owner, { condition: 'change', threshold: 0 })).statusCode).toBe(400);
    // 127.0.0.1/32 is opened by this suite's operator allow list; the rest of loopback is not.
    for (const url of [
      'http://127.0.0.2/hook',
      'http://[::ffff:127.0.0.3]/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/hook',
      'http://10.0.0.1/hook',
      'ftp://example.com/hook',
    ]) {
      const r = await create(owner, { channel: 'webhook', url });
      expect(r.statusCode, url).toBe(400);
      expect((r.json() as { error: string }).error).toBe('WEBHOOK_URL_FORBIDDEN');
    }
  });

  test('a webhook alert posts signed JSON once per transition', async () => {
    const r = await create(owner, {
      channel: 'webhook',
      url: `http://hooks.test:${t.receiverPort}/alerts`,
      condition: 'above',
      threshold: 1,
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = (r.json() as { alert: AlertRule }).alert.id;
    const before = t.posts.length;
    await check();
    await check();
    const got = t.posts.slice(before).map((p) => JSON.parse(p.body) as { alert: string; kind: string });
    expect(got.filter((p) => p.alert === id).map((p) => p.kind)).toEqual(['fire']);
    expect(t.posts.at(-1)?.headers['x-trellis-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  test('a member holds at most 50 rules (a typed error), another member is not counted', async () => {
    const held = (await owner.inject('/api/v1/alerts')).json() as { alerts: AlertRule[] };
    for (let i = held.alerts.length; i < MAX_ALERTS; i++)
      expect((await create(owner, { threshold: i })).statusCode).toBe(201);
    const over = await create(owner, {});
    expect(over.statusCode).toBe(409);
    expect((over.json() as { error: string }).error).toBe('ALERT_LIMIT');
    expect((await create(colleague, {})).statusCode).toBe(201);
  });
});
