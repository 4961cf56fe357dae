import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AlertRule, Subscription } from '../../../contract/index.js';
import type { SignedIn, TestApp } from '../../../test/app-harness.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../../../test/delivery-test-app.js';
import { ORDER_ROWS } from '../../../test/tenant-fixture.js';

/**
 * Editing a subscription (PATCH) and an alert's channel, and messages in the recipient's language,
 * on the real app (test/delivery-test-app.ts: multi-tenant DuckDB, store queue, a real SMTP server, a
 * webhook receiver on loopback).
 */
let t: DeliveryTestApp;
let app: TestApp;
let owner: SignedIn;
let colleague: SignedIn;
let admin: SignedIn;
let otherAdmin: SignedIn;
let otherViewer: SignedIn;

beforeAll(async () => {
  t = await startDeliveryTestApp({ from: 'reports@example.test', pollMs: 60_000 });
  ({ app, owner, colleague, admin, otherAdmin, otherViewer } = t);
  app.services.jobs.startWorker();
}, 60_000);

afterAll(async () => t?.close());

const subscribe = async (who: SignedIn, body: object = {}): Promise<Subscription> => {
  const r = await who.inject({
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
  expect(r.statusCode, r.body).toBe(201);
  return (r.json() as { subscription: Subscription }).subscription;
};

const edit = (who: SignedIn, id: string, body: object) =>
  who.inject({ method: 'PATCH', url: `/api/v1/subscriptions/${id}`, payload: body });

async function listOf(who: SignedIn): Promise<Subscription[]> {
  return ((await who.inject('/api/v1/subscriptions')).json() as { subscriptions: Subscription[] })
    .subscriptions;
}

/** Waits until no delivery or notification is open (the worker has sent or failed them all). */
async function settled(): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const open = [
      ...(await app.services.store.db
        .selectFrom('report_deliveries')
        .select('id')
        .where('status', 'in', ['pending', 'sending'])
        .execute()),
      ...(await app.services.store.db
        .selectFrom('alert_events')
        .select('id')
        .where('status', 'in', ['pending', 'sending'])
        .execute()),
    ];
    if (open.length === 0) return;
    if (Date.now() > deadline) throw new Error(`deliveries still open: ${open.length}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('editing a subscription', () => {
  test('schedule, filters, format and channel change; checked as when made; audited', async () => {
    const sub = await subscribe(owner, { filters: { region: ['hub'] } });
    expect(sub.nextRunAt).toBe('2026-03-02T07:00:00.000Z');

    // A new schedule starts from now, in its time zone; the filters stay as they were.
    const weekly = await edit(owner, sub.id, { schedule: '0 9 * * 1', timeZone: 'UTC' });
    expect(weekly.statusCode, weekly.body).toBe(200);
    const after = (weekly.json() as { subscription: Subscription; webhookSecret: string | null })
      .subscription;
    expect(after).toMatchObject({
      schedule: '0 9 * * 1',
      timeZone: 'UTC',
      nextRunAt: '2026-03-02T09:00:00.000Z',
      filters: { region: ['hub'] },
      channel: 'email',
      target: owner.email,
    });
    expect((weekly.json() as { webhookSecret: unknown }).webhookSecret).toBeNull();

    // New filters replace the old; the CSV's widget and a PDF are checked as a new subscription is.
    const filters = await edit(owner, sub.id, { filters: { region: ['north'] } });
    expect((filters.json() as { subscription: Subscription }).subscription.filters).toEqual({
      region: ['north'],
    });
    const pdf = await edit(owner, sub.id, { format: 'pdf', query: '?region=hub' });
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect((pdf.json() as { subscription: Subscription }).subscription).toMatchObject({
      format: 'pdf',
      widget: null,
      query: '?region=hub',
    });
    // Refused like a new one, and nothing is changed by a refusal.
    for (const [body, code] of [
      [{ schedule: '* * * * *' }, 'SCHEDULE_INVALID'],
      [{ timeZone: 'Mars/Base' }, 'SCHEDULE_INVALID'],
      [{ format: 'csv', widget: 'nope' }, 'WIDGET_NOT_FOUND'],
      [{ format: 'csv', widget: 'list', filters: { nope: ['x'] } }, 'UNKNOWN_FILTER'],
      [{ channel: 'webhook' }, 'WEBHOOK_URL_FORBIDDEN'],
      [{ channel: 'webhook', url: 'http://127.0.0.2/hook' }, 'WEBHOOK_URL_FORBIDDEN'],
      [{ channel: 'webhook', url: 'http://169.254.169.254/latest/meta-data/' }, 'WEBHOOK_URL_FORBIDDEN'],
      [{ channel: 'webhook', url: 'http://[::1]/hook' }, 'WEBHOOK_URL_FORBIDDEN'],
    ] as const) {
      const r = await edit(owner, sub.id, body);
      expect(r.statusCode, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect((r.json() as { error: string }).error, JSON.stringify(body)).toBe(code);
    }
    const dashboardChange = await edit(owner, sub.id, { dashboard: 'admin' });
    expect(dashboardChange.statusCode).toBe(400);
    expect((await listOf(owner)).find((s) => s.id === sub.id)).toMatchObject({
      format: 'pdf',
      schedule: '0 9 * * 1',
      channel: 'email',
    });

    // To a webhook: a signing secret, shown this once; deliveries go there, signed with it.
    const hook = await edit(owner, sub.id, {
      channel: 'webhook',
      url: `http://hooks.test:${t.receiverPort}/reports`,
      format: 'csv',
      widget: 'list',
      filters: { region: ['hub'] },
    });
    expect(hook.statusCode, hook.body).toBe(200);
    const hooked = hook.json() as { subscription: Subscription; webhookSecret: string };
    expect(hooked.webhookSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(hooked.subscription).toMatchObject({
      channel: 'webhook',
      target: `http://hooks.test:${t.receiverPort}/reports`,
    });
    const before = t.posts.length;
    t.clock = Date.parse(hooked.subscription.nextRunAt ?? '');
    await app.services.subscriptions.enqueueDue();
    await settled();
    const got = t.posts.slice(before);
    expect(got.length).toBe(1);
    const payload = JSON.parse(got[0]?.body ?? '{}') as { subscription: string; contentBase64: string };
    expect(payload.subscription).toBe(sub.id);
    const csv = Buffer.from(payload.contentBase64, 'base64').toString('utf8');
    const hubIds = ORDER_ROWS.filter((r) => r.org === 'beacon' && r.region === 'hub').map((r) => r.id);
    expect(csv.trim().split('\r\n').length).toBe(hubIds.length + 1);

    const audit = await app.services.store.db
      .selectFrom('audit_log')
      .select(['action', 'actor'])
      .where('action', '=', 'subscription.update')
      .execute();
    // Four edits were taken; the eight refusals above changed nothing and wrote no success row.
    expect(audit.length).toBe(4);
  });

  test('another organisation, another member and a stranger change nothing', async () => {
    const sub = await subscribe(owner);
    for (const who of [otherAdmin, otherViewer, colleague]) {
      const r = await edit(who, sub.id, { schedule: '0 10 * * *' });
      expect(r.statusCode).toBe(404);
      expect((r.json() as { error: string }).error).toBe('SUBSCRIPTION_NOT_FOUND');
      expect(r.body).not.toContain(owner.email);
      const hijack = await edit(who, sub.id, {
        channel: 'webhook',
        url: `http://hooks.test:${t.receiverPort}/steal`,
      });
      expect(hijack.statusCode).toBe(404);
    }
    expect(
      (await app.inject({ method: 'PATCH', url: `/api/v1/subscriptions/${sub.id}`, payload: {} })).statusCode,
    ).toBe(401);
    expect((await listOf(owner)).find((s) => s.id === sub.id)).toMatchObject({
      schedule: '0 8 * * *',
      channel: 'email',
      target: owner.email,
    });
  });

  test("an admin edits a member's: e-mail goes to the member, not to the admin", async () => {
    const sub = await subscribe(owner, {
      channel: 'webhook',
      url: `http://hooks.test:${t.receiverPort}/reports`,
    });
    const r = await edit(admin, sub.id, { channel: 'email', schedule: '30 7 * * *' });
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as { subscription: Subscription }).subscription).toMatchObject({
      channel: 'email',
      target: owner.email,
      mine: false,
    });
  });
});

describe("an alert's channel", () => {
  test('changes to a webhook (checked, a new secret) and back to e-mail; others reach nothing', async () => {
    const created = await owner.inject({
      method: 'POST',
      url: '/api/v1/alerts',
      payload: {
        dashboard: 'ops',
        widget: 'total',
        condition: 'above',
        threshold: 1,
        everyMinutes: 5,
        channel: 'email',
      },
    });
    const rule = (created.json() as { alert: AlertRule }).alert;
    const patch = (who: SignedIn, body: object) =>
      who.inject({ method: 'PATCH', url: `/api/v1/alerts/${rule.id}`, payload: body });
    for (const url of ['http://127.0.0.2/hook', 'http://169.254.169.254/', 'ftp://example.com/x']) {
      const refused = await patch(owner, { channel: 'webhook', url });
      expect(refused.statusCode, url).toBe(400);
      expect((refused.json() as { error: string }).error).toBe('WEBHOOK_URL_FORBIDDEN');
    }
    for (const who of [otherAdmin, otherViewer, colleague]) {
      const r = await patch(who, { channel: 'webhook', url: `http://hooks.test:${t.receiverPort}/steal` });
      expect(r.statusCode).toBe(404);
    }
    const hook = await patch(owner, {
      channel: 'webhook',
      url: `http://hooks.test:${t.receiverPort}/alerts`,
    });
    expect(hook.statusCode, hook.body).toBe(200);
    expect(hook.json()).toMatchObject({
      channel: 'webhook',
      target: `http://hooks.test:${t.receiverPort}/alerts`,
      webhookSecret: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/) as unknown,
    });
    // A change that leaves the channel alone answers no secret.
    const same = await patch(owner, { threshold: 2 });
    expect(same.json()).not.toHaveProperty('webhookSecret');
    const back = await patch(admin, { channel: 'email' });
    expect(back.json()).toMatchObject({ channel: 'email', target: owner.email });
    await owner.inject({ method: 'DELETE', url: `/api/v1/alerts/${rule.id}` });
  });
});

describe("messages in the recipient's language", () => {
  test("a German member's alert and report mails are German; an English member's stay English", async () => {
    await app.services.userSettings.setLocale(colleague.userId, 'de');
    const alertFor = async (who: SignedIn) => {
      const r = await who.inject({
        method: 'POST',
        url: '/api/v1/alerts',
        payload: {
          dashboard: 'ops',
          widget: 'total',
          condition: 'above',
          threshold: 1.5,
          everyMinutes: 5,
          channel: 'email',
        },
      });
      expect(r.statusCode, r.body).toBe(201);
    };
    await alertFor(colleague);
    await alertFor(owner);
    const reportOf = await subscribe(colleague);
    const before = t.smtp.accepted.length;
    t.clock = Math.max(t.clock + 5 * 60_000, Date.parse(reportOf.nextRunAt ?? ''));
    await app.services.alerts.checkDue();
    await app.services.subscriptions.enqueueDue();
    await settled();
    const mails = t.smtp.accepted.slice(before);
    const to = (m: (typeof mails)[number]) => (m.to && 'text' in m.to ? m.to.text : '');
    const beaconOrders = ORDER_ROWS.filter((r) => r.org === 'beacon').length;

    const german = mails.filter((m) => to(m).includes(colleague.email));
    const alertDe = german.find((m) => m.subject?.startsWith('Alarm:'));
    expect(alertDe?.subject).toBe(`Alarm: Orders ist ${beaconOrders}, über 1,5`);
    expect(alertDe?.text).toContain('Ihre Alarme verwalten: https://trellis.example.test/subscriptions');
    const reportDe = german.find((m) => m.subject?.startsWith('Trellis-Bericht:'));
    expect(reportDe?.text).toContain('Ihr geplanter Bericht des Dashboards „ops“ ist angehängt');
    expect(reportDe?.attachments.length).toBe(1);

    const english = mails.filter((m) => to(m).includes(owner.email));
    expect(english.map((m) => m.subject)).toContain(`Alert: Orders is ${beaconOrders}, above 1.5`);
  });
});
