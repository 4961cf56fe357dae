/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WidgetDataResponse } from '../contract/index.js';
import { applyFilter, waitForDashboard, waitForIdle } from './dashboard-page.js';
import {
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  resultsDir,
  startServer,
  type Browser,
  type RunningServer,
} from './e2e-harness.js';

/**
 * Export jobs from the browser: with a low row threshold, exporting the filtered studies table from
 * its Export menu queues a job (a toast says so), the Exports page shows it finish with a "ready"
 * toast, and its Download link gives exactly the filtered rows. Screenshots of the Exports page.
 */
const available = chromiumAvailable();
const FILTER = 'NCT0010';

describe.skipIf(!available)('export jobs in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let expectedIds: string[];

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'trellis-e2e-exports-'));
    server = await startServer('clinical-trials', {
      jobs: true,
      config: { exports: { dir, jobRows: 10, keepMs: 3_600_000 } },
    });
    browser = await launchBrowser(server);
    page = await browser.context.newPage();
    expectedIds = await filteredIds();
    expect(expectedIds.length).toBeGreaterThan(10); // beyond the threshold: a job
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function filteredIds(): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const r = await server.fetch('/api/v1/dashboards/data-browser/widgets/studies/data', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.baseUrl },
        body: JSON.stringify({ filters: { nct_id: FILTER }, page: { offset, limit: 500 } }),
      });
      const body = (await r.json()) as WidgetDataResponse;
      ids.push(...body.rows.map((row) => String(row[0])));
      if (ids.length >= (body.total ?? 0) || body.rows.length === 0) return ids;
    }
  }

  it('a large export becomes a job: toast, Exports page, download of exactly the filtered rows', async () => {
    await page.goto(`${server.baseUrl}/d/data-browser`);
    await waitForDashboard(page);
    await applyFilter(page, { kind: 'text', filter: 'nct_id', text: FILTER });
    await page.waitForURL(/nct_id/);
    await waitForIdle(page, 'studies');
    const menu = page.locator('[data-widget-id="studies"] [data-testid="export-menu"]');
    await menu.locator('summary').focus();
    await page.keyboard.press('Enter');
    const item = menu.locator('a[data-format="csv"]');
    await item.waitFor({ state: 'visible' });
    await item.press('Enter');
    await page.getByText('Export started').waitFor({ timeout: 15_000 });
    // Ready while we look, or soon after: the toast says so on any page.
    await page.getByText('Export ready').waitFor({ timeout: 30_000 });

    await page.locator('nav.main-nav a', { hasText: 'Exports' }).click();
    await page.waitForURL(/\/exports$/);
    const row = page.locator('tr[data-status="ready"]').first();
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe(String(expectedIds.length));
    await page.screenshot({ path: path.join(resultsDir, 'exports-page.png'), fullPage: true });

    const link = row.getByRole('link', { name: /^Download / });
    const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(file.suggestedFilename()).toMatch(/^data-browser-studies-\d{4}-\d{2}-\d{2}\.csv$/);
    const saved = path.join(resultsDir, `export-job-${Date.now()}.csv`);
    await file.saveAs(saved);
    const lines = readFileSync(saved, 'utf8').trimEnd().split('\r\n');
    const ids = lines.slice(1).map((l) => JSON.parse(l.split(',')[0] ?? '""') as string);
    expect(ids).toEqual(expectedIds);
  }, 120_000);

  it('the Exports page in dark mode and on a phone (screenshots)', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(resultsDir, 'exports-page-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: path.join(resultsDir, 'exports-page-phone.png'), fullPage: true });
  }, 60_000);
});
