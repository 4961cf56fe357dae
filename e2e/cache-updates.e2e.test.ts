/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * Freshness in the browser: a dataset invalidated on the server (as a pipeline does) refetches the
 * widgets that read it on an open page, at once and only those; a result the server marks stale
 * (source down) shows its time on the widget and in a banner.
 */
const available = chromiumAvailable();

describe.skipIf(!available)('data freshness in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser(server);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Widget ids requested by the page from now on. */
  function recordRequests(page: Page): string[] {
    const seen: string[] = [];
    page.on('request', (r) => {
      const m = /\/widgets\/([^/]+)\/data$/.exec(new URL(r.url()).pathname);
      if (m?.[1]) seen.push(m[1]);
    });
    return seen;
  }

  async function ready(page: Page): Promise<void> {
    await page.waitForFunction(() => {
      const cards = [...document.querySelectorAll('[data-widget-id]')];
      return cards.length > 0 && cards.every((c) => c.getAttribute('data-state') === 'ready');
    });
  }

  it('an invalidated dataset refetches its widgets on the open page, and only those', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.baseUrl}/d/overview`);
    await ready(page);
    // The update stream is open before the server announces anything.
    await page.waitForFunction(async () => {
      const metrics = await (await fetch('/metrics')).text();
      return /trellis_event_streams [1-9]/.test(metrics);
    });
    const requested = recordRequests(page);
    await server.invalidate(['study_conditions']);
    await expect.poll(() => requested.includes('top_conditions'), { timeout: 10_000 }).toBe(true);
    await ready(page);
    expect(requested).toEqual(['top_conditions']);
    await page.close();
  });

  it('a stale result shows its time on the widget and in a banner', async () => {
    const page = await browser.context.newPage();
    await page.route('**/api/v1/dashboards/overview/widgets/by_status/data', async (route) => {
      // The real response, marked as the server marks it when the source is down (tested end to end
      // against PostgreSQL in source-outage.api.test.ts).
      const response = await route.fetch();
      const body = await response.json();
      body.meta.stale = true;
      body.meta.cache = 'stale';
      body.meta.asOf = new Date(Date.now() - 47 * 60_000).toISOString();
      await route.fulfill({ response, json: body });
    });
    await page.goto(`${server.baseUrl}/d/overview`);
    await ready(page);
    const banner = page.getByTestId('stale-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Showing data from \d\d:\d\d.*source is unavailable/);
    expect(await page.locator('[data-widget-id="by_status"] .stale-badge').textContent()).toMatch(
      /Data from \d\d:\d\d/,
    );
    expect(await page.locator('.stale-badge').count()).toBe(1);
    await page.screenshot({ path: path.join(resultsDir, 'stale-banner.png'), fullPage: false });
    await page.close();
  });
});
