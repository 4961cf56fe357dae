/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { useBrowserSuite } from './browser-suite.js';
import { check, eventually, waitForDashboard } from './dashboard-page.js';
import { axeSerious, chromiumAvailable, launchBrowser, resultsDir, type Browser } from './e2e-harness.js';

/**
 * Saved presets on the clinical-trials overview: the admin saves the current filters as a shared
 * preset from the menu; a viewer of the same organisation finds it, applies it, makes it their
 * default (it applies when the page opens unfiltered) and opens it from a `?preset=` link; a member
 * of another organisation gets nothing from the same link; rename and delete show at once.
 * Screenshots: test-results/presets-{light,dark}.png.
 */
const available = chromiumAvailable();
const PASSWORD = 'correct horse battery staple';

describe.skipIf(!available)('saved presets in Chromium', () => {
  const suite = useBrowserSuite('presets');
  const { pageErrors } = suite;

  const studies = (page: Page) => page.locator('[data-widget-id="studies"] .kpi-value').first().innerText();
  const menu = (page: Page) => page.getByTestId('preset-menu');
  const openMenu = async (page: Page) => {
    if (!(await menu(page).evaluate((d) => (d as HTMLDetailsElement).open)))
      await menu(page).locator('summary').click();
    await menu(page).locator('.preset-menu-popup').waitFor();
  };
  const rowNames = (page: Page) => menu(page).locator('.preset-apply').allTextContents();
  const status = (page: Page) => new URL(page.url()).searchParams.get('status');
  const open = async (browser: Browser, url: string) => {
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${suite.server.baseUrl}${url}`);
    await waitForDashboard(page);
    return page;
  };
  const as = async (email: string) =>
    launchBrowser({ baseUrl: suite.server.baseUrl, ...(await suite.server.signIn(email, PASSWORD)) });

  it('saved and shared by one member, applied and made default by another, invisible to another organisation', async () => {
    // The admin filters the overview to completed studies and saves that, shared.
    const page = await open(suite.browser, '/d/overview?status=COMPLETED');
    const completed = await studies(page);
    await openMenu(page);
    check(await menu(page).locator('.preset-empty').innerText()).toContain('No saved presets yet');
    await menu(page).getByLabel('Save the current filters as').fill('Completed studies');
    await menu(page).getByLabel('Share with the organisation').check();
    await menu(page).getByRole('button', { name: 'Save', exact: true }).click();
    // The row shows at once (optimistic), then carries the server's id.
    await menu(page).locator('.preset-row[data-preset-id^="prs_"]').waitFor();
    const id = (await menu(page).locator('.preset-row').first().getAttribute('data-preset-id')) ?? '';
    check(await rowNames(page)).toEqual(['Completed studiesshared']);
    check(await menu(page).locator('summary').innerText()).toContain('Presets: Completed studies');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(resultsDir, `presets-${scheme}.png`) });
      const serious = await axeSerious(page);
      console.log(
        `axe on the overview with the presets menu open (${scheme}): ${serious.length} serious/critical`,
      );
      check(serious).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // A viewer of the same organisation.
    await suite.server.addMember('viewer.presets@example.test', PASSWORD, 'viewer');
    const viewer = await as('viewer.presets@example.test');
    try {
      const vpage = await open(viewer, '/d/overview');
      const all = await studies(vpage);
      check(all).not.toBe(completed);
      await openMenu(vpage);
      check(await menu(vpage).locator('.preset-group h3').allTextContents()).toEqual([
        'Shared with your organisation',
      ]);
      check(await rowNames(vpage)).toEqual(['Completed studies']);
      // A viewer cannot share nor change someone else's preset.
      check(await menu(vpage).getByLabel('Share with the organisation').count()).toBe(0);
      check(
        await menu(vpage)
          .getByRole('button', { name: /^Delete / })
          .count(),
      ).toBe(0);
      await menu(vpage).locator('.preset-apply', { hasText: 'Completed studies' }).click();
      await eventually(() => Promise.resolve(status(vpage)), 'COMPLETED');
      await waitForDashboard(vpage);
      check(await studies(vpage)).toBe(completed);

      // Their default: opening the dashboard unfiltered applies it (the history entry is replaced).
      await openMenu(vpage);
      const star = menu(vpage).getByRole('button', { name: 'Default for this dashboard: Completed studies' });
      await star.click();
      await eventually(() => star.getAttribute('aria-pressed'), 'true');
      await vpage.waitForLoadState('networkidle');
      await vpage.goto(`${suite.server.baseUrl}/d/overview`);
      await eventually(() => Promise.resolve(status(vpage)), 'COMPLETED');
      await waitForDashboard(vpage);
      check(await studies(vpage)).toBe(completed);
      check(await vpage.getByTestId('preset-notice').innerText()).toContain(
        'default preset “Completed studies”',
      );
      // Reset filters does not bring the default back.
      await vpage.getByRole('button', { name: /^Reset filters/ }).click();
      await eventually(() => Promise.resolve(status(vpage)), null);
      await waitForDashboard(vpage);
      check(await studies(vpage)).toBe(all);

      // A link with ?preset= opens it.
      await vpage.goto(`${suite.server.baseUrl}/d/overview?preset=${id}`);
      await eventually(() => Promise.resolve(new URL(vpage.url()).search), '?status=COMPLETED');
      await waitForDashboard(vpage);
      check(await studies(vpage)).toBe(completed);
      await vpage.close();
    } finally {
      await viewer.close();
    }

    // Another organisation: the same link shows nothing of it.
    await suite.server.addOutsider('admin@globex.test', PASSWORD, 'globex');
    const outsider = await as('admin@globex.test');
    try {
      const opage = await outsider.context.newPage();
      opage.on('pageerror', (err) => pageErrors.push(err.message));
      await opage.goto(`${suite.server.baseUrl}/d/overview?preset=${id}`);
      await eventually(
        () => opage.getByTestId('preset-notice').innerText(),
        'The preset in the link is not available to you; showing the dashboard without it.',
      );
      check(new URL(opage.url()).search).toBe('');
      // Another organisation's rows: none of the example's (its widgets are empty or zero).
      await waitForDashboard(opage, ['ready', 'empty']);
      await openMenu(opage);
      await menu(opage).locator('.preset-empty').waitFor();
      check(await rowNames(opage)).toEqual([]);
      await opage.close();
    } finally {
      await outsider.close();
    }

    // Rename and delete show at once for the admin.
    await openMenu(page);
    await menu(page).getByRole('button', { name: 'Rename Completed studies' }).click();
    await menu(page).getByLabel('New name for Completed studies').fill('Done');
    await menu(page).getByLabel('New name for Completed studies').press('Enter');
    await eventually(() => rowNames(page), ['Doneshared']);
    await menu(page).getByRole('button', { name: 'Delete Done' }).click();
    await eventually(() => rowNames(page), []);
    const left = await suite.server.fetch('/api/v1/dashboards/overview/presets');
    check(((await left.json()) as { presets: unknown[] }).presets).toEqual([]);
    check(pageErrors).toEqual([]);
    await page.close();
  });
});
