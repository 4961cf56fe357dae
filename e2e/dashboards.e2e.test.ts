/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, it } from 'vitest';
import type { DashboardDefinition, DashboardListResponse } from '../contract/index.js';
import {
  applyFilter,
  check,
  columnNumbers,
  eventually,
  signature,
  waitForChange,
  waitForDashboard,
  waitForIdle,
  type FilterPlan,
} from './dashboard-page.js';
import { useBrowserSuite } from './browser-suite.js';
import { chromiumAvailable, resultsDir } from './e2e-harness.js';

/**
 * The clinical-trials dashboards in a real browser, against the real server and the built app: every dashboard
 * renders every widget with data, a filter change reaches the URL and the data, a reload of that
 * URL reproduces it, tables page and sort, a failing widget fails alone, and phones get one column.
 */
const available = chromiumAvailable();

/** How each example dashboard's filter is changed. */
const PLANS: Record<string, FilterPlan> = {
  overview: { kind: 'multi', filter: 'status', option: 'COMPLETED', keyboard: true },
  distributions: { kind: 'multi', filter: 'study_type', option: 'OBSERVATIONAL' },
  'time-trends': { kind: 'multi', filter: 'phase', option: 'PHASE3' },
  'enrollment-success': { kind: 'multi', filter: 'tier', option: 'Exceeded' },
  search: { kind: 'text', filter: 'title', text: 'diabetes' },
  'data-browser': { kind: 'text', filter: 'nct_id', text: 'NCT0010' },
  shapes: { kind: 'multi', filter: 'study_type', option: 'OBSERVATIONAL' },
};

describe.skipIf(!available)('dashboards in Chromium', () => {
  const suite = useBrowserSuite('dashboards');
  const { pageErrors } = suite;
  let list: DashboardListResponse;
  beforeAll(async () => {
    list = (await (await suite.server.fetch(`/api/v1/dashboards`)).json()) as DashboardListResponse;
  });

  async function newPage(): Promise<Page> {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      // Responses we fail on purpose (route-injected 500s) log a resource error; nothing else may.
      if (msg.type() === 'error' && !msg.text().includes('status of 500'))
        pageErrors.push(`${page.url()}: console: ${msg.text()}`);
    });
    return page;
  }

  async function definition(id: string): Promise<DashboardDefinition> {
    return (await (await suite.server.fetch(`/api/v1/dashboards/${id}`)).json()) as DashboardDefinition;
  }

  it('lists every dashboard with its title, description and widget count', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/`);
    const cards = page.locator('[data-dashboard-id]');
    await cards.first().waitFor();
    check(list.dashboards.length).toBe(7);
    // Every listed dashboard has a filter plan below, so a new dashboard cannot go untested.
    check(Object.keys(PLANS).sort()).toEqual(list.dashboards.map((d) => d.id).sort());
    check(await cards.count()).toBe(list.dashboards.length);
    for (const d of list.dashboards) {
      const card = page.locator(`[data-dashboard-id="${d.id}"]`);
      check(await card.locator('h2').textContent()).toBe(d.title);
      check(await card.textContent()).toContain(`${d.widgetCount} widgets`);
    }
    check(await page.title()).toBe(`${list.project.title} · Trellis`);
    await page.screenshot({ path: path.join(resultsDir, 'dashboard-list.png'), fullPage: true });
    // A card is an in-app link: the dashboard opens without a full page load.
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    await page.locator('[data-dashboard-id="overview"] a').click();
    await page.waitForURL(/\/d\/overview$/);
    await waitForDashboard(page);
    check(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    await page.close();
  });

  // The six example dashboards are known up front so each gets its own test; the first test
  // checks that the API lists exactly these.
  for (const id of Object.keys(PLANS)) {
    it(`dashboard "${id}": renders every widget, filters through the URL, and reloads the same`, async () => {
      const def = await definition(id);
      check(list.dashboards.map((d) => d.id)).toContain(id);
      const page = await newPage();
      await page.goto(`${suite.server.baseUrl}/d/${id}`);
      const states = await waitForDashboard(page);
      check(states.length, 'one card per widget').toBe(def.widgets.length);
      check(
        states.filter((s) => s.state !== 'ready'),
        'every widget has data',
      ).toEqual([]);
      check(await page.title()).toBe(`${def.title} · ${list.project.title}`);
      check(await page.locator('h1').textContent()).toBe(def.title);
      await page.screenshot({ path: path.join(resultsDir, `${id}.png`), fullPage: true });

      const before = await signature(page);
      const urlBefore = page.url();
      const plan = PLANS[id];
      if (!plan) throw new Error(`no filter plan for ${id}`);
      await applyFilter(page, plan);
      const expectedParam =
        plan.kind === 'multi' ? `${plan.filter}=${plan.option}` : `${plan.filter}=${plan.text}`;
      await page.waitForURL((url) => url.search.includes(expectedParam));
      check(page.url()).not.toBe(urlBefore);
      check(page.url()).toContain(expectedParam);
      await waitForDashboard(page, ['ready', 'empty']);
      const after = await waitForChange(page, before);
      const changed = Object.keys(after).filter((w) => after[w] !== before[w]);
      check(changed.length, 'at least one widget shows different data').toBeGreaterThan(0);

      // The URL is the view: a reload restores the control and the same data.
      await page.reload();
      await waitForDashboard(page, ['ready', 'empty']);
      if (plan.kind === 'multi') {
        const chips = page.locator(`[data-filter-id="${plan.filter}"] .chip-text`);
        check(await chips.allTextContents()).toEqual([plan.option]);
      } else {
        check(await page.locator(`[data-filter-id="${plan.filter}"] input`).inputValue()).toBe(plan.text);
      }
      check(await signature(page)).toEqual(after);

      if (id === 'overview') {
        // Back returns to the unfiltered view, forward to the filtered one.
        await page.goBack();
        await page.waitForURL((url) => url.search === '');
        await waitForDashboard(page);
        check(await signature(page)).toEqual(before);
        await page.goForward();
        await page.waitForURL((url) => url.search.includes(expectedParam));
        await waitForDashboard(page, ['ready', 'empty']);
        check(await signature(page)).toEqual(after);
        // Reset clears every filter.
        await page.getByRole('button', { name: /Reset filters/ }).click();
        await page.waitForURL((url) => url.search === '');
        await waitForDashboard(page);
        check(await signature(page)).toEqual(before);
      }
      await page.close();
    });
  }

  it('phone width: one column, nothing wider than the screen', async () => {
    const page = await newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${suite.server.baseUrl}/d/overview`);
    const states = await waitForDashboard(page);
    check(states.every((s) => s.state === 'ready')).toBe(true);
    await page.screenshot({ path: path.join(resultsDir, 'overview-phone.png'), fullPage: true });
    const boxes = await page.locator('[data-widget-id]').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { left: Math.round(r.left), width: Math.round(r.width) };
      }),
    );
    check(new Set(boxes.map((b) => b.left)).size, 'every card starts at the same x').toBe(1);
    check(new Set(boxes.map((b) => b.width)).size, 'every card has the same width').toBe(1);
    check(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.close();
  });

  it('table: pages and sorts on the server, by mouse and by keyboard', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    const table = page.locator('[data-widget-id="recent"]');
    const range = table.locator('.pager-range');
    const firstId = () => table.locator('tbody tr').first().locator('td').first().textContent();
    // The signed-in demo user is in Atlas Research, which holds 60% of the 50,000 studies.
    check(await range.textContent()).toMatch(/^1–10 of 30,000$/);
    check(await table.locator('tbody tr').count()).toBe(10);
    check(await table.locator('th[aria-sort="descending"]').textContent()).toContain('Last updated');
    const page1 = await firstId();

    await table.getByRole('button', { name: /Next/ }).click();
    await eventually(() => range.textContent(), '11–20 of 30,000');
    await waitForIdle(page, 'recent');
    check(await firstId()).not.toBe(page1);
    await table.getByRole('button', { name: /Previous/ }).click();
    await eventually(() => range.textContent(), '1–10 of 30,000');
    await waitForIdle(page, 'recent');
    check(await firstId()).toBe(page1);

    // Sorting by enrollment: ascending by click, then descending by keyboard (Enter on the header).
    const enrollmentHeader = table.locator('th', { hasText: 'Enrollment' });
    await enrollmentHeader.getByRole('button').click();
    await eventually(() => enrollmentHeader.getAttribute('aria-sort'), 'ascending');
    await waitForIdle(page, 'recent');
    const ascending = await columnNumbers(page, 'recent', 'Enrollment');
    check(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await table.getByRole('button', { name: /Next/ }).click();
    await eventually(() => range.textContent(), '11–20 of 30,000');
    await enrollmentHeader.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await eventually(() => enrollmentHeader.getAttribute('aria-sort'), 'descending');
    await eventually(() => range.textContent(), '1–10 of 30,000');
    await waitForIdle(page, 'recent');
    const descending = await columnNumbers(page, 'recent', 'Enrollment');
    check(descending).toEqual([...descending].sort((a, b) => b - a));
    check(descending[0]).toBeGreaterThan(ascending[ascending.length - 1] ?? 0);
    // Only columns the project marks sortable have buttons (brief_title is not sortable).
    check(await table.locator('th', { hasText: 'Title' }).getByRole('button').count()).toBe(0);
    await page.close();
  });

  it('a failing widget shows its error, request id and Retry; the others still render', async () => {
    const page = await newPage();
    let failing = true;
    await page.route('**/api/v1/dashboards/overview/widgets/by_phase/data', async (route) => {
      if (!failing) return route.continue();
      return route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({
          error: 'INTERNAL',
          message: 'Injected failure for the browser test.',
          requestId: 'e2e-request-42',
        }),
      });
    });
    await page.goto(`${suite.server.baseUrl}/d/overview`);
    const states = await waitForDashboard(page, ['ready', 'error']);
    check(states.find((s) => s.id === 'by_phase')?.state).toBe('error');
    check(states.filter((s) => s.id !== 'by_phase').every((s) => s.state === 'ready')).toBe(true);
    const card = page.locator('[data-widget-id="by_phase"]');
    check(await card.getByRole('alert').textContent()).toContain('Injected failure for the browser test.');
    check(await card.textContent()).toContain('e2e-request-42');
    check(await page.locator('[data-widget-id="by_status"] .chart[data-rendered="true"]').count()).toBe(1);
    await page.screenshot({ path: path.join(resultsDir, 'widget-error.png'), fullPage: false });

    failing = false;
    await card.getByRole('button', { name: 'Retry' }).click();
    await eventually(() => card.getAttribute('data-state'), 'ready');
    await card.locator('.chart[data-rendered="true"]').waitFor();
    await page.close();
  });

  it('"View as table" shows a chart\'s rows, and the chart comes back', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/d/distributions`);
    await waitForDashboard(page);
    const card = page.locator('[data-widget-id="status"]');
    const toggle = card.getByRole('button', { name: 'View as table' });
    await toggle.click();
    check(await card.locator('table tbody tr').count()).toBeGreaterThan(3);
    check(await card.locator('thead').textContent()).toContain('Status');
    await card.getByRole('button', { name: 'Show chart' }).click();
    await card.locator('.chart[data-rendered="true"]').waitFor();
    const label = await card.locator('.chart').getAttribute('aria-label');
    check(label).toMatch(/^Overall status\. Bar chart, \d+ rows: Status COMPLETED, Studies [\d,]+;/);
    await page.close();
  });

  it('raised no page errors or console errors', () => {
    check(pageErrors).toEqual([]);
  });
});
