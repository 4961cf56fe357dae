import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ReportDelivery, Subscription } from '../../../contract/index.js';
import type { SignedIn, TestApp } from '../../../test/app-harness.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../../../test/delivery-test-app.js';
import { ORDER_ROWS } from '../../../test/tenant-fixture.js';

/**
 * Scheduled reports through the API on the real app, its store queue and worker, the multi-tenant
 * DuckDB fixture, a real SMTP server and a real webhook receiver on loopback (opened to webhooks by
 * the operator's allow list, 127.0.0.1/32 only): test/delivery-test-app.ts. Due ticks come from moving
 * the app's clock.
 */
let t: DeliveryTestApp;
let app: TestApp;
let requester: SignedIn;
let colleague: SignedIn;
let admin: SignedIn;
let otherAdmin: SignedIn;
let otherViewer: SignedIn;

const DAY = 86_400_000;

beforeAll(async () => {
  // Names the tests control: one at the receiver (hooks.test), one an attacker points at loopback.
  t = await startDeliveryTestApp({
    from: 'reports@example.test',
    pollMs: 50,
    names: { 'rebind.test': '127.0.0.2' },
  });
  ({ app, owner: requester, colleague, admin, otherAdmin, otherViewer } = t);
}, 60_000);

afterAll(async () => t?.close());

const subscribe = (who: SignedIn, body: object) =>
  who.inject({
    method: 'POST',
    url: '/api/v1/subscriptions',
    payload: {
      dashboard: 'ops',
      widget: 'list',
      format: 'csv',
      filters: {},
      schedule: '0 8 * * *',
      timeZone: 'Europe/Paris',
      channel: 'email',
      ...body,
    },
  });

async function deliveriesOf(who: SignedIn, id: string): Promise<ReportDelivery[]> {
  const r = await who.inject(`/api/v1/subscriptions/${id}/deliveries`);
  expect(r.statusCode).toBe(200);
  return (r.json() as { deliveries: ReportDelivery[] }).deliveries;
}

/** Moves the clock to the subscription's tick; the worker's poll then delivers it. */
async function runTick(who: SignedIn, sub: Subscription): Promise<ReportDelivery> {
  t.clock = Date.parse(sub.nextRunAt ?? '');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [d] = await deliveriesOf(who, sub.id);
    if (d && (d.status === 'sent' || d.status === 'failed')) return d;
    if (Date.now() > deadline) throw new Error(`delivery of ${sub.id} stayed ${d?.status ?? 'absent'}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const beaconIds = ORDER_ROWS.filter((r) => r.org === 'beacon' && r.region === 'hub').map((r) => r.id);

describe('subscriptions', () => {
  let emailSub: Subscription;

  test('a CSV report by e-mail: one message, the filtered rows of the caller organisation attached', async () => {
    app.services.jobs.startWorker();
    const r = await subscribe(requester, { filters: { region: ['hub'] } });
    expect(r.statusCode).toBe(201);
    emailSub = (r.json() as { subscription: Subscription }).subscription;
    // 08:00 in Paris on 2 March (winter) is 07:00 UTC.
    expect(emailSub).toMatchObject({ status: 'active', nextRunAt: '2026-03-02T07:00:00.000Z', mine: true });
    expect(emailSub.target).toBe(requester.email);

    const before = t.smtp.accepted.length;
    const d = await runTick(requester, emailSub);
    expect(d).toMatchObject({ status: 'sent', attempts: 1, error: null });
    expect(t.smtp.accepted.length).toBe(before + 1);
    const mail = t.smtp.accepted.at(-1);
    expect(mail?.messageId).toBe(`<${d.id}@trellis.reports>`);
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toContain(requester.email);
    const csv = mail?.attachments[0]?.content.toString('utf8') ?? '';
    expect(mail?.attachments[0]?.filename).toMatch(/^ops-list-.*\.csv$/);
    const ids = csv
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => Number(line.split(',')[0]));
    expect(ids.sort((a, b) => a - b)).toEqual([...beaconIds].sort((a, b) => a - b));
    expect(csv).not.toContain('"atlas"');

    // The next tick is the next day's 08:00 Paris time; the same tick is never delivered twice.
    const list = (await requester.inject('/api/v1/subscriptions')).json() as {
      subscriptions: Subscription[];
    };
    const again = list.subscriptions.find((s) => s.id === emailSub.id);
    expect(again?.nextRunAt).toBe('2026-03-03T07:00:00.000Z');
    expect(again?.lastDelivery?.id).toBe(d.id);
    await app.services.subscriptions.enqueueDue();
    expect((await deliveriesOf(requester, emailSub.id)).length).toBe(1);
    emailSub = again as Subscription;
  });

  test('another organisation, another member and a stranger reach nothing and change nothing', async () => {
    const id = emailSub.id;
    for (const who of [otherAdmin, otherViewer, colleague]) {
      const list = (await who.inject('/api/v1/subscriptions')).json() as { subscriptions: Subscription[] };
      expect(list.subscriptions.map((s) => s.id)).not.toContain(id);
      for (const req of [
        { method: 'POST' as const, url: `/api/v1/subscriptions/${id}/pause` },
        { method: 'POST' as const, url: `/api/v1/subscriptions/${id}/resume` },
        { method: 'DELETE' as const, url: `/api/v1/subscriptions/${id}` },
        { method: 'GET' as const, url: `/api/v1/subscriptions/${id}/deliveries` },
      ]) {
        const r = await who.inject(req);
        expect(r.statusCode).toBe(404);
        expect((r.json() as { error: string }).error).toBe('SUBSCRIPTION_NOT_FOUND');
        expect(r.body).not.toContain(requester.email);
      }
    }
    for (const url of ['/api/v1/subscriptions', `/api/v1/subscriptions/${id}/deliveries`])
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/v1/subscriptions', payload: {} })).statusCode).toBe(
      401,
    );
    // Another organisation's viewer cannot subscribe to a dashboard its role cannot open either.
    expect((await subscribe(otherViewer, { dashboard: 'admin' })).statusCode).toBe(404);
    const mine = (await requester.inject('/api/v1/subscriptions')).json() as {
      subscriptions: Subscription[];
    };
    expect(mine.subscriptions.find((s) => s.id === id)?.status).toBe('active');
  });

  test('pause stops deliveries; resume starts from the next tick; the admin sees and may delete it', async () => {
    const p = await requester.inject({ method: 'POST', url: `/api/v1/subscriptions/${emailSub.id}/pause` });
    expect(p.json()).toMatchObject({ status: 'paused', nextRunAt: null });
    t.clock += 3 * DAY;
    expect(await app.services.subscriptions.enqueueDue()).toBe(0);
    const r = await requester.inject({ method: 'POST', url: `/api/v1/subscriptions/${emailSub.id}/resume` });
    const resumed = r.json() as Subscription;
    expect(resumed.status).toBe('active');
    expect(Date.parse(resumed.nextRunAt ?? '')).toBeGreaterThan(t.clock);
    const seen = (await admin.inject('/api/v1/subscriptions')).json() as { subscriptions: Subscription[] };
    expect(seen.subscriptions.find((s) => s.id === emailSub.id)?.mine).toBe(false);
    expect(
      (await admin.inject({ method: 'DELETE', url: `/api/v1/subscriptions/${emailSub.id}` })).statusCode,
    ).toBe(204);
    expect((await requester.inject(`/api/v1/subscriptions/${emailSub.id}/deliveries`)).statusCode).toBe(404);
  });

  test('schedules are checked: cron, time zone, not more often than every 15 minutes', async () => {
    for (const [schedule, timeZone] of [
      ['0 8 * *', 'UTC'],
      ['0 8 * * *', 'Mars/Base'],
      ['* * * * *', 'UTC'],
      ['*/5 * * * *', 'UTC'],
    ]) {
      const r = await subscribe(requester, { schedule, timeZone });
      expect(r.statusCode).toBe(400);
      expect((r.json() as { error: string }).error).toBe('SCHEDULE_INVALID');
    }
    expect((await subscribe(requester, { schedule: '*/15 * * * *', timeZone: 'UTC' })).statusCode).toBe(201);
  });
});

describe('webhooks', () => {
  const hook = (path: string) => `http://hooks.test:${t.receiverPort}${path}`;

  test.each([
    'http://[::1]/hook',
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://2130706434/hook',
    'http://0177.0.0.2/hook',
    'http://[::ffff:127.0.0.2]/hook',
    'http://[::ffff:a9fe:a9fe]/hook',
    'ftp://example.com/hook',
    'http://user:pw@hooks.test/hook',
  ])('subscribing with %s is refused', async (url) => {
    const r = await subscribe(requester, { channel: 'webhook', url });
    expect(r.statusCode).toBe(400);
    expect((r.json() as { error: string }).error).toBe('WEBHOOK_URL_FORBIDDEN');
  });

  test('a delivery is signed JSON with the file; a failing receiver is retried until it takes it', async () => {
    let calls = 0;
    t.answer = (_q, res) => {
      calls++;
      res.statusCode = calls < 3 ? 503 : 200;
      res.end();
    };
    const r = await subscribe(requester, { channel: 'webhook', url: hook('/reports') });
    expect(r.statusCode).toBe(201);
    const { subscription: sub, webhookSecret } = r.json() as {
      subscription: Subscription;
      webhookSecret: string;
    };
    expect(webhookSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const before = t.posts.length;
    const d = await runTick(requester, sub);
    expect(d).toMatchObject({ status: 'sent' });
    const got = t.posts.slice(before);
    expect(got.length).toBe(3);
    const last = got[2] as (typeof got)[number];
    const timestamp = String(last.headers['x-trellis-timestamp']);
    const expected = `sha256=${createHmac('sha256', webhookSecret).update(`${timestamp}.${last.body}`).digest('hex')}`;
    expect(last.headers['x-trellis-signature']).toBe(expected);
    expect(last.headers['x-trellis-delivery']).toBe(d.id);
    const payload = JSON.parse(last.body) as { delivery: string; contentBase64: string; format: string };
    expect(payload).toMatchObject({ delivery: d.id, format: 'csv' });
    // Two quick retries inside the attempt, then sent: counted by result.
    const metric = await app.services.metrics.reportDeliveries.get();
    const count = (result: string) =>
      metric.values.find((v) => v.labels.channel === 'webhook' && v.labels.result === result)?.value ?? 0;
    expect(count('sent')).toBe(1);
    expect(Buffer.from(payload.contentBase64, 'base64').toString('utf8')).toContain('"beacon"');
    t.answer = (_q, res) => res.end('ok');
  });

  test('a name resolving to loopback, and a redirect to the metadata address, fail without reaching them', async () => {
    const rebound = await subscribe(requester, {
      channel: 'webhook',
      url: `http://rebind.test:${t.receiverPort}/x`,
    });
    expect(rebound.statusCode).toBe(201); // names are judged after DNS, on delivery
    const before = t.posts.length;
    const d1 = await runTick(requester, (rebound.json() as { subscription: Subscription }).subscription);
    // Refused before rendering or sending: no attempt to send was made.
    expect(d1).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
    expect(t.posts.slice(before).filter((p) => p.url === '/x')).toEqual([]);

    t.answer = (_q, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/latest/meta-data/');
      res.end();
    };
    const redirected = await subscribe(requester, { channel: 'webhook', url: hook('/redirect') });
    const d2 = await runTick(requester, (redirected.json() as { subscription: Subscription }).subscription);
    expect(d2).toMatchObject({ status: 'failed', error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
    // The receiver's first hop only (other subscriptions' ticks may post to /reports meanwhile).
    expect(
      t.posts
        .slice(before)
        .filter((p) => p.url !== '/reports')
        .map((p) => p.url),
    ).toEqual(['/redirect']);
    t.answer = (_q, res) => res.end('ok');
  });
});
