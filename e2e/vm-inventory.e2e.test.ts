/// <reference lib="dom" />
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
 * The vm-inventory dashboards in a real browser (on the example's DuckDB file): each renders every
 * widget with data — KPIs, stacked bars, pie, line, heatmap, scatter, histogram, tables — a filter
 * reaches the URL and the data and survives a reload, and the clusters table sorts and pages on the
 * server. Screenshots: test-results/vm-inventory-<dashboard>.png.
 */
const available = chromiumAvailable();

const PLANS: Record<string, FilterPlan> = {
  overview: { kind: 'multi', filter: 'datacenter', option: 'ams1', keyboard: true },
  capacity: { kind: 'multi', filter: 'purpose', option: 'gpu' },
  'labels-quality': { kind: 'multi', filter: 'power_state', option: 'off' },
  'datacentre-hall': { kind: 'multi', filter: 'datacenter', option: 'ams1' },
};

describe.skipIf(!available)('vm-inventory dashboards in Chromium', () => {
  const suite = useBrowserSuite('vm-inventory', 'vm-inventory');
  const { pageErrors } = suite;
  let list: DashboardListResponse;
  beforeAll(async () => {
    list = (await (await suite.server.fetch(`/api/v1/dashboards`)).json()) as DashboardListResponse;
  });

  async function newPage(): Promise<Page> {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${page.url()}: console: ${msg.text()}`);
    });
    return page;
  }

  it('lists the four dashboards in order', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/`);
    await page.locator('[data-dashboard-id]').first().waitFor();
    check(list.dashboards.map((d) => d.id)).toEqual([
      'overview',
      'capacity',
      'labels-quality',
      'datacentre-hall',
    ]);
    check(Object.keys(PLANS).sort()).toEqual(list.dashboards.map((d) => d.id).sort());
    check(await page.locator('[data-dashboard-id]').count()).toBe(4);
    check(await page.title()).toBe('VM inventory · Trellis');
    await page.screenshot({ path: path.join(resultsDir, 'vm-inventory-list.png'), fullPage: true });
    await page.close();
  });

  for (const id of Object.keys(PLANS)) {
    it(`dashboard "${id}": every widget has data, a filter goes through the URL, a reload keeps it`, async () => {
      const def = (await (
        await suite.server.fetch(`/api/v1/dashboards/${id}`)
      ).json()) as DashboardDefinition;
      const page = await newPage();
      await page.goto(`${suite.server.baseUrl}/d/${id}`);
      const states = await waitForDashboard(page);
      check(states.length, 'one card per widget').toBe(def.widgets.length);
      check(
        states.filter((s) => s.state !== 'ready'),
        'every widget has data',
      ).toEqual([]);
      // Every chart drew something (a canvas or SVG with content), not an empty frame.
      const charts = def.widgets.filter((w) => !['kpi', 'table', 'text'].includes(w.type)).length;
      check(await page.locator('.chart[data-rendered="true"]').count(), 'charts drawn').toBe(charts);
      check(await page.locator('[role="alert"]').count(), 'no widget errors').toBe(0);
      await page.screenshot({ path: path.join(resultsDir, `vm-inventory-${id}.png`), fullPage: true });

      const plan = PLANS[id];
      if (!plan || plan.kind !== 'multi') throw new Error(`no multi-select plan for ${id}`);
      const before = await signature(page);
      await applyFilter(page, plan);
      const param = `${plan.filter}=${plan.option}`;
      await page.waitForURL((url) => url.search.includes(param));
      await waitForDashboard(page, ['ready', 'empty']);
      const after = await waitForChange(page, before);
      check(
        Object.keys(after).filter((w) => after[w] !== before[w]).length,
        'at least one widget shows different data',
      ).toBeGreaterThan(0);
      await page.screenshot({
        path: path.join(resultsDir, `vm-inventory-${id}-filtered.png`),
        fullPage: true,
      });
      await page.reload();
      await waitForDashboard(page, ['ready', 'empty']);
      check(await page.locator(`[data-filter-id="${plan.filter}"] .chip-text`).allTextContents()).toEqual([
        plan.option,
      ]);
      check(await signature(page)).toEqual(after);
      await page.close();
    });
  }

  it('the clusters table sorts and pages on the server', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/d/capacity`);
    await waitForDashboard(page);
    const table = page.locator('[data-widget-id="clusters"]');
    const range = table.locator('.pager-range');
    check(await range.textContent()).toMatch(/^1–15 of \d+$/);
    check(await table.locator('th[aria-sort="descending"]').textContent()).toContain('vCPU per core');
    const ratios = await columnNumbers(page, 'clusters', 'vCPU per core');
    check(ratios).toEqual([...ratios].sort((a, b) => b - a));

    const hosts = table.locator('th', { hasText: 'Hosts' });
    await hosts.getByRole('button').click();
    await eventually(() => hosts.getAttribute('aria-sort'), 'ascending');
    await waitForIdle(page, 'clusters');
    const page1 = await columnNumbers(page, 'clusters', 'Hosts');
    check(page1).toEqual([...page1].sort((a, b) => a - b));
    await table.getByRole('button', { name: /Next/ }).click();
    await eventually(async () => /^16–\d+ of \d+$/.test((await range.textContent()) ?? ''), true);
    await waitForIdle(page, 'clusters');
    const page2 = await columnNumbers(page, 'clusters', 'Hosts');
    check(page2[0]).toBeGreaterThanOrEqual(page1[page1.length - 1] ?? 0);
    await page.close();
  });

  it('raised no page errors or console errors', () => {
    check(pageErrors).toEqual([]);
  });
});
