/// <reference lib="dom" />
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportDelivery, SessionInfo, Subscription } from '../contract/index.js';
import { defaultConfig } from '../server/config/env.js';
import { startSmtpTestServer, type SmtpTestServer } from '../test/smtp-test-server.js';
import { waitForDashboard } from './dashboard-page.js';
import {
  axeSerious,
  CHROMIUM_PATH,
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
 * Scheduled reports from the browser: Subscribe… on a dashboard (weekly preset, PDF, e-mail), the
 * server's clock moved to the subscription's tick (as subscriptions.api.test.ts does), and the test
 * SMTP server receives the mail with the PDF attached; then Pause and Delete on the Subscriptions
 * page, and axe on it. Then the same with a saved preset instead of the bar's filters: the preset's
 * id is stored, the mail arrives, and the page names the preset. Screenshots of the page and the
 * dialog, light and dark.
 */
const available = chromiumAvailable();
const DAY = 86_400_000;

describe.skipIf(!available)('subscriptions in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let smtp: SmtpTestServer;
  let dir: string;
  let offset = 0;

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'trellis-e2e-subs-'));
    smtp = await startSmtpTestServer();
    server = await startServer('clinical-trials', {
      jobs: true,
      now: () => Date.now() + offset,
      config: {
        exports: { dir, jobRows: 100_000, keepMs: 3_600_000 },
        // The clock jumps up to a week ahead: the browser's session must outlive it.
        sessions: { ...defaultConfig().sessions, idleMs: 100 * DAY, absoluteMs: 100 * DAY },
        pdf: { chromium: CHROMIUM_PATH, pool: 1, timeoutMs: 60_000, baseUrl: undefined },
        mail: {
          smtpUrl: smtp.url,
          from: 'reports@example.test',
          publicOrigin: 'https://trellis.example.test',
        },
        reports: { ...defaultConfig().reports, pollMs: 100 },
      },
    });
    browser = await launchBrowser(server);
    page = await browser.context.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const list = async (): Promise<Subscription[]> =>
    ((await (await server.fetch('/api/v1/subscriptions')).json()) as { subscriptions: Subscription[] })
      .subscriptions;

  it('subscribe from a dashboard; the tick delivers an e-mail with the PDF; pause and delete on the page', async () => {
    const me = (await (await server.fetch('/api/v1/session')).json()) as SessionInfo;
    await page.goto(`${server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    await page.getByRole('button', { name: 'Subscribe…' }).click();
    const dialog = page.getByRole('dialog', { name: /Subscribe to/ });
    await dialog.waitFor();
    // A bad schedule is refused by the server and shown beside its field.
    await dialog.getByLabel('Cron schedule').fill('61 8 * * *');
    await dialog.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await dialog.locator('.field-error[role="alert"]').waitFor();
    expect(await dialog.getByLabel('Cron schedule').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('Every Monday at 08:00').check();
    expect(await dialog.getByLabel('Cron schedule').inputValue()).toBe('0 8 * * 1');
    // The refusal goes once the form is edited.
    expect(await dialog.locator('.field-error').count()).toBe(0);
    await dialog.getByLabel('Time zone').fill('Europe/Paris');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(resultsDir, `subscribe-dialog-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await dialog.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await page.getByText('Subscribed').first().waitFor();
    const [sub] = await list();
    expect(sub).toMatchObject({
      dashboard: 'overview',
      format: 'pdf',
      schedule: '0 8 * * 1',
      channel: 'email',
    });
    expect(sub?.target).toBe(me.user.email);

    // The tick: the server's clock moves to the next run; the worker renders and sends the PDF.
    offset = Date.parse(sub?.nextRunAt ?? '') - Date.now();
    const deadline = Date.now() + 90_000;
    let last: ReportDelivery | undefined;
    while (Date.now() < deadline) {
      const r = await server.fetch(`/api/v1/subscriptions/${sub?.id ?? ''}/deliveries`);
      [last] = ((await r.json()) as { deliveries: ReportDelivery[] }).deliveries;
      if (last?.status === 'sent' || last?.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(last).toMatchObject({ status: 'sent' });
    expect(smtp.accepted).toHaveLength(1);
    const mail = smtp.accepted[0];
    const pdf = mail?.attachments.find((a) => a.contentType === 'application/pdf');
    expect(pdf?.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The page: the row with its schedule in words and its sent delivery, then its log.
    const { page: subsPage, serious } = await openAudited(browser, `${server.baseUrl}/subscriptions`, {
      ready: (p) => p.locator(`[data-subscription-id="${sub?.id ?? ''}"]`).waitFor(),
    });
    expect(serious).toEqual({ light: [], dark: [] });
    const row = subsPage.locator(`[data-subscription-id="${sub?.id ?? ''}"]`);
    await row.getByText('Every Monday at 08:00').waitFor();
    // The dashboard by its title, not its id.
    await expect.poll(() => row.locator('.subscription-dashboard').innerText()).toBe('Overview');
    await row.getByText('Sent').waitFor();
    await row.getByRole('button', { name: /Delivery log/ }).press('Enter');
    await subsPage
      .getByRole('table', { name: /Deliveries of/ })
      .locator('[data-delivery-status="sent"]')
      .waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await subsPage.emulateMedia({ colorScheme: scheme });
      await subsPage.screenshot({
        path: path.join(resultsDir, `subscriptions-page-${scheme}.png`),
        fullPage: true,
      });
    }
    await subsPage.emulateMedia({ colorScheme: 'light' });

    // Edit: the Subscribe dialog, prefilled; a new schedule is saved with PATCH and shown in the row.
    await row.getByRole('button', { name: /^Edit the report of / }).click();
    const editDialog = subsPage.getByRole('dialog', { name: /Edit the report of/ });
    await editDialog.waitFor();
    expect(await editDialog.getByLabel('Cron schedule').inputValue()).toBe('0 8 * * 1');
    for (const scheme of ['light', 'dark'] as const) {
      await subsPage.emulateMedia({ colorScheme: scheme });
      expect(await axeSerious(subsPage)).toEqual([]);
      await subsPage.screenshot({ path: path.join(resultsDir, `subscription-edit-dialog-${scheme}.png`) });
    }
    await subsPage.emulateMedia({ colorScheme: 'light' });
    await editDialog.getByLabel('Every day at 08:00').check();
    await editDialog.getByRole('button', { name: 'Save report' }).click();
    await row.getByText('Every day at 08:00').waitFor();
    expect((await list())[0]).toMatchObject({ schedule: '0 8 * * *', format: 'pdf', channel: 'email' });

    await row.getByRole('button', { name: /^Pause / }).click();
    await row.getByRole('button', { name: /^Resume / }).waitFor();
    expect((await list())[0]).toMatchObject({ status: 'paused', nextRunAt: null });

    await row.getByRole('button', { name: /^Delete / }).click();
    const confirm = subsPage.getByRole('dialog', { name: 'Delete this subscription?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await subsPage.getByText('No subscriptions yet').waitFor();
    expect(await list()).toEqual([]);
    await subsPage.close();
  }, 240_000);

  it('subscribe with a saved preset: the preset is stored, the mail arrives, the page names it', async () => {
    const made = await server.fetch('/api/v1/dashboards/overview/presets', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseUrl },
      body: JSON.stringify({ name: 'Completed trials', filters: { status: ['COMPLETED'] }, shared: false }),
    });
    expect(made.status).toBe(201);
    const preset = (await made.json()) as { id: string };
    await page.goto(`${server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    await page.getByRole('button', { name: 'Subscribe…' }).click();
    const dialog = page.getByRole('dialog', { name: /Subscribe to/ });
    await dialog.waitFor();
    await dialog.getByLabel('A saved preset').check();
    const select = dialog.getByLabel('Preset', { exact: true });
    await select.waitFor();
    expect(await select.inputValue()).toBe(preset.id);
    expect(await axeSerious(page)).toEqual([]);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axeSerious(page)).toEqual([]);
      await page.screenshot({ path: path.join(resultsDir, `subscribe-preset-dialog-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await dialog.getByLabel('Every Monday at 08:00').check();
    await dialog.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await page.getByText('Subscribed').first().waitFor();
    const [sub] = await list();
    expect(sub).toMatchObject({ dashboard: 'overview', format: 'pdf', preset: preset.id, query: null });

    const before = smtp.accepted.length;
    offset = Date.parse(sub?.nextRunAt ?? '') - Date.now();
    const deadline = Date.now() + 90_000;
    let last: ReportDelivery | undefined;
    while (Date.now() < deadline) {
      const r = await server.fetch(`/api/v1/subscriptions/${sub?.id ?? ''}/deliveries`);
      [last] = ((await r.json()) as { deliveries: ReportDelivery[] }).deliveries;
      if (last?.status === 'sent' || last?.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(last).toMatchObject({ status: 'sent' });
    expect(smtp.accepted).toHaveLength(before + 1);
    const pdf = smtp.accepted.at(-1)?.attachments.find((a) => a.contentType === 'application/pdf');
    expect(pdf?.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const { page: subsPage, serious } = await openAudited(browser, `${server.baseUrl}/subscriptions`, {
      ready: (p) => p.locator(`[data-subscription-id="${sub?.id ?? ''}"]`).waitFor(),
    });
    expect(serious).toEqual({ light: [], dark: [] });
    const row = subsPage.locator(`[data-subscription-id="${sub?.id ?? ''}"]`);
    await row.getByText('Preset: Completed trials').waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await subsPage.emulateMedia({ colorScheme: scheme });
      await subsPage.screenshot({
        path: path.join(resultsDir, `subscriptions-preset-${scheme}.png`),
        fullPage: true,
      });
    }
    await subsPage.close();
  }, 240_000);
});
