/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, AlertRule, WidgetDataResponse } from '../contract/index.js';
import { defaultConfig } from '../server/config/env.js';
import { startSmtpTestServer, type SmtpTestServer } from '../test/smtp-test-server.js';
import { waitForDashboard } from './dashboard-page.js';
import {
  axeSerious,
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  openAudited,
  resultsDir,
  startServer,
  type Browser,
  type RunningServer,
} from './e2e-harness.js';

/**
 * Alerts from the browser: "Alert…" on the overview's Studies KPI (above a threshold, every 5
 * minutes, by e-mail), then the server's clock moved past each check (as subscriptions.e2e does) while
 * the threshold moves under and over the value: the test SMTP server receives exactly one "Alert" and
 * exactly one "Resolved", nothing while still firing; muted from the Subscriptions page, a crossing
 * sends nothing. Then Edit on the Subscriptions page: the threshold changed in the dialog is the one
 * the next check uses. axe on the page and the edit dialog, screenshots light and dark.
 */
const available = chromiumAvailable();
const DAY = 86_400_000;
const MINUTE = 60_000;

describe.skipIf(!available)('alerts in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let smtp: SmtpTestServer;
  let offset = 0;
  let studies = 0;

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    smtp = await startSmtpTestServer();
    server = await startServer('clinical-trials', {
      jobs: true,
      now: () => Date.now() + offset,
      config: {
        sessions: { ...defaultConfig().sessions, idleMs: 100 * DAY, absoluteMs: 100 * DAY },
        mail: {
          smtpUrl: smtp.url,
          from: 'alerts@example.test',
          publicOrigin: 'https://trellis.example.test',
        },
        reports: { ...defaultConfig().reports, pollMs: 100 },
      },
    });
    const kpi = await server.fetch('/api/v1/dashboards/overview/widgets/studies/data', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({}),
    });
    studies = Number(((await kpi.json()) as WidgetDataResponse).rows[0]?.[0]);
    expect(studies).toBeGreaterThan(1);
    browser = await launchBrowser(server);
    page = await browser.context.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  const rules = async (): Promise<AlertRule[]> =>
    ((await (await server.fetch('/api/v1/alerts')).json()) as { alerts: AlertRule[] }).alerts;
  const history = async (id: string): Promise<AlertEvent[]> =>
    ((await (await server.fetch(`/api/v1/alerts/${id}/history`)).json()) as { events: AlertEvent[] }).events;
  const setThreshold = async (id: string, threshold: number) => {
    const r = await server.fetch(`/api/v1/alerts/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ threshold }),
    });
    expect(r.status).toBe(200);
  };
  /** Moves the server's clock past the next check; waits for the worker's check and any notification. */
  const nextCheck = async (id: string) => {
    const before = (await rules()).find((a) => a.id === id)?.lastCheckedAt ?? null;
    offset += 5 * MINUTE + 1_000;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rule = (await rules()).find((a) => a.id === id);
      const open = (await history(id)).filter((e) => e.status === 'pending' || e.status === 'sending');
      if (rule?.lastCheckedAt && rule.lastCheckedAt !== before && open.length === 0) return rule;
      if (Date.now() > deadline) throw new Error(`alert ${id} was not checked`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const subjects = () => smtp.accepted.map((m) => m.subject ?? '');

  it('fires once on crossing, resolves once, and a muted alert sends nothing', async () => {
    await page.goto(`${server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    await page.getByRole('button', { name: 'Alert… (Studies)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Alert on Studies' });
    await dialog.waitFor();
    // Too often: refused by the server, shown beside its field.
    await dialog.getByLabel('Threshold').fill(String(studies + 1));
    await dialog.getByLabel('Every (minutes)').fill('4');
    await dialog.getByRole('button', { name: 'Create alert' }).click();
    await dialog.locator('.field-error[role="alert"]').waitFor();
    expect(await dialog.getByLabel('Every (minutes)').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('Every (minutes)').fill('5');
    expect(await dialog.locator('.field-error').count()).toBe(0);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(resultsDir, `alert-dialog-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await dialog.getByRole('button', { name: 'Create alert' }).click();
    await page.getByText('Alert created').first().waitFor();
    const [rule] = await rules();
    expect(rule).toMatchObject({
      dashboard: 'overview',
      widget: 'studies',
      condition: 'above',
      threshold: studies + 1,
      everyMinutes: 5,
      channel: 'email',
      state: 'ok',
    });
    const id = rule?.id ?? '';

    // Below the threshold: checked, nothing sent.
    expect(await nextCheck(id)).toMatchObject({ state: 'ok', lastValue: studies });
    expect(subjects()).toEqual([]);
    // The threshold moves under the value: exactly one "Alert", nothing more while it stays firing.
    await setThreshold(id, studies - 1);
    expect(await nextCheck(id)).toMatchObject({ state: 'firing' });
    await nextCheck(id);
    expect(subjects()).toEqual([`Alert: Studies is ${studies}, above ${studies - 1}`]);
    // Back over it: exactly one "Resolved".
    await setThreshold(id, studies + 1);
    expect(await nextCheck(id)).toMatchObject({ state: 'ok' });
    await nextCheck(id);
    expect(subjects()).toEqual([
      `Alert: Studies is ${studies}, above ${studies - 1}`,
      `Resolved: Studies is ${studies}, no longer above ${studies + 1}`,
    ]);

    // The page: state, last value, history; then mute for a day from the row.
    const { page: subsPage, serious } = await openAudited(browser, `${server.baseUrl}/subscriptions`, {
      ready: (p) => p.locator(`[data-alert-id="${id}"]`).waitFor(),
    });
    expect(serious).toEqual({ light: [], dark: [] });
    const row = subsPage.locator(`[data-alert-id="${id}"]`);
    await row.getByText('OK', { exact: true }).waitFor();
    await row.getByRole('button', { name: /^History of the alert/ }).press('Enter');
    const log = subsPage.getByRole('table', { name: /^History of the alert/ });
    await log.locator('[data-event-kind="resolve"][data-event-status="sent"]').waitFor();
    await log.locator('[data-event-kind="fire"][data-event-status="sent"]').waitFor();
    await row.getByRole('button', { name: 'Mute 1 day' }).click();
    await row.locator('.alert-muted').waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await subsPage.emulateMedia({ colorScheme: scheme });
      await subsPage.screenshot({ path: path.join(resultsDir, `alerts-page-${scheme}.png`), fullPage: true });
    }
    await subsPage.emulateMedia({ colorScheme: 'light' });
    expect((await rules())[0]?.mutedUntil).not.toBeNull();

    // Muted: the crossing is recorded, no mail leaves.
    await setThreshold(id, studies - 1);
    expect(await nextCheck(id)).toMatchObject({ state: 'firing' });
    await nextCheck(id);
    expect(subjects()).toHaveLength(2);
    expect((await history(id))[0]).toMatchObject({ kind: 'fire', status: 'muted' });

    // Unmute and delete from the page.
    await row.getByRole('button', { name: /^Unmute the alert/ }).click();
    await row.getByRole('button', { name: 'Mute 1 h' }).waitFor();
    await row.getByRole('button', { name: /^Delete the alert/ }).click();
    await subsPage
      .getByRole('dialog', { name: 'Delete this alert?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await subsPage.getByText('No alerts yet', { exact: false }).waitFor();
    expect(await rules()).toEqual([]);
    await subsPage.close();
  }, 240_000);

  it('Edit on the Subscriptions page changes the threshold, and the next check uses it', async () => {
    const made = await server.fetch('/api/v1/alerts', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({
        dashboard: 'overview',
        widget: 'studies',
        condition: 'above',
        threshold: studies + 1,
        everyMinutes: 5,
        channel: 'email',
      }),
    });
    expect(made.status).toBe(201);
    const id = ((await made.json()) as { alert: AlertRule }).alert.id;
    expect(await nextCheck(id)).toMatchObject({ state: 'ok', lastValue: studies });
    const sentBefore = subjects().length;

    const { page: subsPage } = await openAudited(browser, `${server.baseUrl}/subscriptions`, {
      ready: (p) => p.locator(`[data-alert-id="${id}"]`).waitFor(),
      schemes: [],
    });
    const row = subsPage.locator(`[data-alert-id="${id}"]`);
    await row.getByRole('button', { name: /^Edit the alert/ }).click();
    const dialog = subsPage.getByRole('dialog', { name: 'Edit the alert on Studies' });
    await dialog.waitFor();
    // Prefilled with the rule as saved; the channel is shown, not offered.
    expect(await dialog.getByLabel('Threshold').inputValue()).toBe(String(studies + 1));
    expect(await dialog.getByLabel('Every (minutes)').inputValue()).toBe('5');
    expect(await dialog.getByLabel('Webhook URL').count()).toBe(0);
    await dialog.getByLabel('Threshold').fill(String(studies - 1));
    for (const scheme of ['light', 'dark'] as const) {
      await subsPage.emulateMedia({ colorScheme: scheme });
      expect(await axeSerious(subsPage)).toEqual([]);
      await subsPage.screenshot({ path: path.join(resultsDir, `alert-edit-dialog-${scheme}.png`) });
    }
    await subsPage.emulateMedia({ colorScheme: 'light' });
    await dialog.getByRole('button', { name: 'Save alert' }).click();
    await subsPage.getByText('Alert saved').first().waitFor();
    await row.getByText(`Above ${(studies - 1).toLocaleString('en')}`).waitFor();
    expect((await rules()).find((a) => a.id === id)).toMatchObject({
      threshold: studies - 1,
      everyMinutes: 5,
    });

    // The next check compares against the edited threshold: it fires, and says so with that number.
    expect(await nextCheck(id)).toMatchObject({ state: 'firing' });
    expect(subjects().slice(sentBefore)).toEqual([`Alert: Studies is ${studies}, above ${studies - 1}`]);
    await subsPage.close();
  }, 240_000);
});
