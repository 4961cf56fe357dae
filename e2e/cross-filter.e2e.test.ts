/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { check, eventually, waitForDashboard } from './dashboard-page.js';
import { useBrowserSuite } from './browser-suite.js';
import { chromiumAvailable, resultsDir, axeSerious } from './e2e-harness.js';

/**
 * Cross-filter on the clinical-trials overview: Enter on a focused bar, a click on a bar (Ctrl adds)
 * and a click on a table cell filter the other widgets; chips say what is applied; the URL keeps it,
 * Back undoes one step, a chip's × and Escape clear. Screenshots:
 * test-results/cross-filter-{light,dark}.png.
 */
const available = chromiumAvailable();

describe.skipIf(!available)('cross-filter in Chromium', () => {
  const suite = useBrowserSuite('cross-filter', 'clinical-trials');
  const { pageErrors } = suite;

  const kpi = (page: Page, id: string) =>
    page.locator(`[data-widget-id="${id}"] .kpi-value`).first().innerText();
  const chips = (page: Page) => page.locator('[data-testid="cross-filter-chip"]').allInnerTexts();
  const crossParams = async (page: Page) => new URL(page.url()).searchParams.getAll('xf');
  /** Bars of a one-series bar chart's SVG: the commonest fill among sizeable paths, top to bottom. */
  const bars = (page: Page, widget: string) =>
    page.locator(`[data-widget-id="${widget}"] .chart svg path[fill]`).evaluateAll((els) => {
      const sized = els
        .map((e) => ({ fill: e.getAttribute('fill') ?? '', r: e.getBoundingClientRect() }))
        .filter(({ r }) => r.width > 4 && r.height > 4 && r.height < 60);
      const counts = new Map<string, number>();
      for (const s of sized) counts.set(s.fill, (counts.get(s.fill) ?? 0) + 1);
      const fill = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
      return sized
        .filter((s) => s.fill === fill)
        .sort((a, b) => a.r.top - b.r.top)
        .map(({ r }) => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 }));
    });

  it('keyboard, click and table cell combine; Back undoes; the chip and Escape clear', async () => {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${suite.server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    const allStudies = await kpi(page, 'studies');
    const statusBars = (await bars(page, 'by_status')).length;
    check(statusBars).toBeGreaterThan(3);
    const options = page.locator('[data-widget-id="by_status"] [role="option"]');
    // Every status is an option; bars too thin to click (a few studies) are still reachable by keys.
    const optionCount = await options.count();
    check(optionCount).toBeGreaterThanOrEqual(statusBars);

    // Keyboard: Tab to the bar chart's marks, pick the first (largest) bar, Enter.
    const marks = page.locator('[data-widget-id="by_status"] [data-testid="chart-marks"]');
    await marks.focus();
    await page.keyboard.press('ArrowDown');
    const firstLabel = await marks.locator('[data-active="true"]').innerText();
    await page.keyboard.press('Enter');
    await eventually(() => crossParams(page), [`status:by_status:${encodeURIComponent(firstLabel)}`]);
    await waitForDashboard(page);
    check(await chips(page)).toEqual([`Status: ${firstLabel}\n×`]);
    const oneStatus = await kpi(page, 'studies');
    check(oneStatus).not.toBe(allStudies);
    // The clicked chart keeps every bar, its choice marked; the server only saw filter values.
    check(await options.count()).toBe(optionCount);
    check(await marks.locator('[aria-selected="true"]').allInnerTexts()).toEqual([firstLabel]);

    // Mouse: Ctrl-click the second bar adds it to the selection.
    const second = (await bars(page, 'by_status'))[1]!;
    await page.keyboard.down('Control');
    await page.mouse.click(second.x, second.y);
    await page.keyboard.up('Control');
    await eventually(async () => (await crossParams(page))[0]?.split(':')[2]?.split(',').length, 2);
    await waitForDashboard(page);
    const twoStatuses = await kpi(page, 'studies');
    check(Number(twoStatuses.replace(/\D/g, ''))).toBeGreaterThan(Number(oneStatus.replace(/\D/g, '')));

    // A table cell whose column is a filter: Phase.
    // Columns: nct_id, brief_title, overall_status, phase, …
    const cell = page.locator('[data-widget-id="recent"] td:nth-child(4) button.cell-filter').first();
    await cell.waitFor();
    const phase = await cell.innerText();
    await cell.click();
    await eventually(async () => (await crossParams(page)).length, 2);
    await waitForDashboard(page);
    check(await chips(page)).toHaveLength(2);
    check((await chips(page))[1]).toContain(phase);
    const combined = await kpi(page, 'studies');
    check(Number(combined.replace(/\D/g, ''))).toBeLessThanOrEqual(Number(twoStatuses.replace(/\D/g, '')));

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await waitForDashboard(page);
      await page.screenshot({ path: path.join(resultsDir, `cross-filter-${scheme}.png`), fullPage: true });
      // The chips, the marks listbox and the cell buttons must not add serious or critical problems.
      const serious = await axeSerious(page);
      console.log(`axe on the cross-filtered overview (${scheme}): ${serious.length} serious/critical`);
      check(serious).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // The URL keeps it: a reload shows the same chips and numbers.
    await page.reload();
    await waitForDashboard(page);
    check(await chips(page)).toHaveLength(2);
    check(await kpi(page, 'studies')).toBe(combined);

    // Back undoes the table-cell click.
    await page.goBack();
    await eventually(async () => (await crossParams(page)).length, 1);
    await waitForDashboard(page);
    check(await kpi(page, 'studies')).toBe(twoStatuses);

    // The chip's × clears its filter; Escape clears the rest.
    await page.goForward();
    await eventually(async () => (await crossParams(page)).length, 2);
    await page.getByRole('button', { name: /^Clear Phase:/ }).click();
    await eventually(async () => (await crossParams(page)).length, 1);
    await page.locator('h1').click();
    await page.keyboard.press('Escape');
    await eventually(() => crossParams(page), []);
    await waitForDashboard(page);
    check(await kpi(page, 'studies')).toBe(allStudies);
    check(await chips(page)).toEqual([]);
    check(pageErrors).toEqual([]);
    await page.close();
  });
});
