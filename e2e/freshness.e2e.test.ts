import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { check, checks, eventually, waitForDashboard } from './dashboard-page.js';
import {
  axeSerious,
  chromiumAvailable,
  E2E_PASSWORD,
  ensureWebBuild,
  launchBrowser,
  resultsDir,
  startServer,
  type Browser,
  type RunningServer,
} from './e2e-harness.js';

/**
 * Freshness in the UI on the clinical-trials example: auto-refresh kept per dashboard and clamped to
 * the datasets' freshness (said on the page), "Refresh now" for editors only (bypassing the server's
 * cache), and prefetch of a dashboard when its link is hovered or focused. Screenshots:
 * test-results/freshness-{light,dark}.png.
 */
const available = chromiumAvailable();

describe.skipIf(!available)('freshness in Chromium', () => {
  let server: RunningServer;
  let admin: Browser;
  let viewer: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    server = await startServer('clinical-trials');
    admin = await launchBrowser(server);
    await server.addMember('viewer@freshness.test', E2E_PASSWORD, 'viewer');
    viewer = await launchBrowser({
      baseUrl: server.baseUrl,
      ...(await server.signIn('viewer@freshness.test', E2E_PASSWORD)),
    });
  });
  afterAll(async () => {
    await admin?.close();
    await viewer?.close();
    await server?.close();
    console.log(`\nfreshness browser checks run: ${checks.count}\n`);
  });

  const dataRequests = (page: Page) => {
    const seen: { url: string; body: string }[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/widgets/'))
        seen.push({ url: r.url(), body: r.postData() ?? '' });
    });
    return seen;
  };

  it('auto-refresh is kept per dashboard and never faster than the data', async () => {
    const page = await admin.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    const select = page.getByLabel('Auto-refresh');
    check(await select.inputValue()).toBe('0');
    await select.selectOption({ label: 'Every 1 min' });
    // The example's datasets are kept longer than a minute: the page says how often it really refreshes.
    const note = page.getByTestId('auto-refresh-note');
    check(await note.innerText()).toMatch(/refresh every \d+ (min|h) at most/);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page
        .locator('.page-header')
        .screenshot({ path: path.join(resultsDir, `freshness-${scheme}.png`) });
      const serious = await axeSerious(page);
      console.log(`axe with auto-refresh on (${scheme}): ${serious.length} serious/critical`);
      check(serious).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await waitForDashboard(page);
    check(await page.getByLabel('Auto-refresh').inputValue()).toBe('60000');
    // Another dashboard has its own choice.
    await page.goto(`${server.baseUrl}/d/distributions`);
    await waitForDashboard(page);
    check(await page.getByLabel('Auto-refresh').inputValue()).toBe('0');
    await page.close();
  });

  it('refresh now reads the sources again for an editor; a viewer is not offered it', async () => {
    const page = await admin.context.newPage();
    await page.goto(`${server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    const sent = dataRequests(page);
    const caches: string[] = [];
    page.on('response', async (r) => {
      if (r.request().postData()?.includes('"refresh":true'))
        caches.push(((await r.json()) as { meta: { cache: string } }).meta.cache);
    });
    await page.getByTestId('refresh-now').click();
    await eventually(() => page.getByTestId('refresh-now').innerText(), 'Refresh now');
    const refreshed = sent.filter((r) => r.body.includes('"refresh":true'));
    check(refreshed.length).toBeGreaterThan(3);
    await eventually(async () => caches.length, refreshed.length);
    check(caches.every((c) => c === 'miss' || c === 'live' || c === 'coalesced')).toBe(true);
    await page.close();

    const theirs = await viewer.context.newPage();
    await theirs.goto(`${server.baseUrl}/d/overview`);
    await waitForDashboard(theirs);
    check(await theirs.getByLabel('Auto-refresh').count()).toBe(1);
    check(await theirs.getByTestId('refresh-now').count()).toBe(0);
    await theirs.close();
  });

  it('hovering or focusing a dashboard link fetches it ahead, a few widgets at most', async () => {
    const page = await admin.context.newPage();
    await page.goto(`${server.baseUrl}/`);
    await page.locator('.dashboard-card').first().waitFor();
    const definitions: string[] = [];
    page.on('request', (r) => {
      if (/\/api\/v1\/dashboards\/[^/]+$/.test(new URL(r.url()).pathname)) definitions.push(r.url());
    });
    const sent = dataRequests(page);
    await page.locator('[data-dashboard-id="time-trends"] a').hover();
    await eventually(async () => definitions.some((u) => u.endsWith('/time-trends')), true);
    await eventually(async () => sent.length > 0, true);
    await page.waitForTimeout(500);
    check(sent.every((r) => r.url.includes('/dashboards/time-trends/'))).toBe(true);
    check(sent.length).toBeLessThanOrEqual(4);
    // Keyboard focus does the same for another card.
    await page.locator('[data-dashboard-id="enrollment-success"] a').focus();
    await eventually(async () => definitions.some((u) => u.endsWith('/enrollment-success')), true);
    // Opening the hovered dashboard asks for nothing it already has.
    const before = sent.length;
    await page.locator('[data-dashboard-id="time-trends"] a').click();
    await waitForDashboard(page);
    const prefetched = sent.slice(0, before).map((r) => r.url);
    const again = sent
      .slice(before)
      .filter((r) => prefetched.includes(r.url) && r.body === sent.find((s) => s.url === r.url)?.body);
    check(again).toEqual([]);
    check(pageErrors).toEqual([]);
    await page.close();
  });
});
