/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { check, eventually, waitForDashboard } from './dashboard-page.js';
import { useBrowserSuite } from './browser-suite.js';
import { chromiumAvailable, resultsDir, axeSerious } from './e2e-harness.js';

/**
 * Drill-down on the clinical-trials overview's "Studies started per year" (drill: year → month →
 * day), by keyboard: a year opens its months, a month its days; the breadcrumb and Back climb up;
 * the URL keeps the level. Screenshots: test-results/drill-{light,dark}.png.
 */
const available = chromiumAvailable();

describe.skipIf(!available)('drill-down in Chromium', () => {
  const suite = useBrowserSuite('drill', 'clinical-trials');
  const { pageErrors } = suite;

  const crumbs = (page: Page) =>
    page.locator('[data-widget-id="starts"] [data-testid="drill-breadcrumb"] li').allTextContents();
  const drillParam = async (page: Page) => new URL(page.url()).searchParams.get('dr');
  const description = (page: Page) =>
    page.locator('[data-widget-id="starts"] .chart').getAttribute('aria-label');
  const marks = (page: Page) => page.locator('[data-widget-id="starts"] [data-testid="chart-marks"]');
  /** Picks a mark by keyboard (End, then up `back` marks) and presses Enter; returns its label. */
  async function drillInto(page: Page, back: number): Promise<string> {
    await marks(page).focus();
    await page.keyboard.press('End');
    for (let i = 0; i < back; i++) await page.keyboard.press('ArrowUp');
    const label = await marks(page).locator('[data-active="true"]').innerText();
    await page.keyboard.press('Enter');
    return label;
  }

  it('year → month → day by keyboard, the breadcrumb and Back climb up', async () => {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${suite.server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    check(await crumbs(page)).toEqual(['All years']);
    const years = await description(page);

    // A recent full year (the last may be partial): its months.
    const year = await drillInto(page, 3);
    check(year).toMatch(/^\d{4}$/);
    await eventually(() => drillParam(page), `starts:${year}-01-01`);
    await waitForDashboard(page);
    check(await crumbs(page)).toEqual(['All years', `›${year}`]);
    const months = await description(page);
    check(months).not.toBe(years);
    check(await marks(page).locator('[role="option"]').count()).toBeLessThanOrEqual(12);

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await waitForDashboard(page);
      await page
        .locator('[data-widget-id="starts"]')
        .screenshot({ path: path.join(resultsDir, `drill-${scheme}.png`) });
      const serious = await axeSerious(page);
      console.log(`axe on the drilled overview (${scheme}): ${serious.length} serious/critical`);
      check(serious).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // The first month of that year: its days; the last level has no marks to drill.
    await marks(page).focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await eventually(() => drillParam(page), `starts:${year}-01-01,${year}-01-01`);
    await waitForDashboard(page);
    check(await crumbs(page)).toEqual(['All years', `›${year}`, `›Jan ${year}`]);
    check(await description(page)).not.toBe(months);

    // The last level's marks open the rows behind them (drill.rows): a day's studies, in a dialog.
    await marks(page).focus();
    await page.keyboard.press('Home');
    const day = await marks(page).locator('[data-active="true"]').innerText();
    await page.keyboard.press('Enter');
    const dialog = page.locator('[data-testid="drill-rows"]');
    await dialog.locator('table tbody tr').first().waitFor();
    check(await dialog.locator('h2').innerText()).toContain(`rows behind ${day}`);
    const starts = await dialog.locator('tbody tr td:nth-child(5)').allInnerTexts();
    check(starts.length).toBeGreaterThan(0);
    check(new Set(starts).size).toBe(1); // every row started that one day
    check(await dialog.locator('.pager-range').innerText()).toMatch(/^1–\d+ of [\d,]+$/);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(resultsDir, `drill-rows-${scheme}.png`) });
      const serious = await axeSerious(page);
      console.log(`axe on the rows dialog (${scheme}): ${serious.length} serious/critical`);
      check(serious).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Focus is back on the chart's marks, where the keyboard user was.
    check(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('chart-marks');

    // A reload keeps the level; Back climbs one level, the breadcrumb goes straight to the top.
    await page.reload();
    await waitForDashboard(page);
    check(await crumbs(page)).toEqual(['All years', `›${year}`, `›Jan ${year}`]);
    await page.goBack();
    await eventually(() => drillParam(page), `starts:${year}-01-01`);
    await waitForDashboard(page);
    // The chart's description follows its data once redrawn.
    await eventually(() => description(page), months);
    await page.getByRole('button', { name: 'All years' }).click();
    await eventually(() => drillParam(page), null);
    await waitForDashboard(page);
    await eventually(() => description(page), years);
    check(pageErrors).toEqual([]);
    await page.close();
  });

  it("a bar opens another dashboard with its value as that dashboard's filter (drill.dashboard)", async () => {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${suite.server.baseUrl}/d/distributions`);
    await waitForDashboard(page);
    const statusMarks = page.locator('[data-widget-id="status"] [data-testid="chart-marks"]');
    await statusMarks.focus();
    await page.keyboard.press('Home');
    const status = await statusMarks.locator('[data-active="true"]').innerText();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/d/time-trends');
    check(new URL(page.url()).searchParams.get('status')).toBe(status);
    await waitForDashboard(page);
    check(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Time trends');
    // The filter bar shows the carried value; Back returns to where the click was.
    check(await page.locator('.filter-bar').innerText()).toContain(status);
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/d/distributions');
    check(pageErrors).toEqual([]);
    await page.close();
  });
});
