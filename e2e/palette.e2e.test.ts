/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { check, eventually, waitForDashboard } from './dashboard-page.js';
import { useBrowserSuite } from './browser-suite.js';
import { chromiumAvailable, resultsDir, axeSerious } from './e2e-harness.js';

/**
 * The Ctrl+K palette and the keyboard shortcuts on the clinical-trials example: an NCT ID read from
 * the Data browser's table is typed into the palette, Enter opens the Data browser filtered to that
 * study; `?` opens the shortcuts overlay (focus inside, Escape closes); `g j` goes to Jobs, `g d`
 * back, `]` to the next dashboard; letters typed in a filter stay text.
 * Screenshots: test-results/palette-{light,dark}.png, test-results/shortcuts-{light,dark}.png.
 */
const available = chromiumAvailable();

describe.skipIf(!available)('command palette and shortcuts in Chromium', () => {
  const suite = useBrowserSuite('palette', 'clinical-trials');
  const { pageErrors } = suite;

  const pathOf = (page: Page) => {
    const u = new URL(page.url());
    return `${u.pathname}${u.search}`;
  };
  const studyIds = (page: Page) =>
    page
      .locator('[data-widget-id="studies"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLTableRowElement).cells[0]?.textContent?.trim() ?? ''));

  it('Ctrl+K finds a study by its NCT ID and opens it filtered; ? shows the shortcuts; g j goes to Jobs', async () => {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));

    // An NCT ID from the example's data, not the first row (so the filter visibly narrows).
    await page.goto(`${suite.server.baseUrl}/d/data-browser`);
    await waitForDashboard(page);
    const ids = await studyIds(page);
    check(ids.length).toBeGreaterThan(3);
    const nct = ids[3] ?? '';
    check(nct).toMatch(/^NCT\d{8}$/);

    await page.goto(`${suite.server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    await page.keyboard.press('Control+k');
    const palette = page.getByTestId('command-palette');
    await palette.waitFor();
    const input = palette.getByRole('combobox');
    await eventually(() => input.evaluate((el) => el === document.activeElement), true);
    // Before typing: dashboards and pages to jump to.
    await palette.getByRole('option', { name: /^Overview/ }).waitFor();
    check(await palette.getByRole('option', { name: /^Jobs/ }).count()).toBe(1);
    await page.screenshot({ path: path.join(resultsDir, 'palette-start-light.png') });
    // Nothing found: said so, not an empty box.
    await input.fill('zzqq-no-such-thing');
    await eventually(
      () => palette.locator('.palette-empty').innerText(),
      'Nothing matches “zzqq-no-such-thing”.',
    );
    check(await palette.getByRole('option').count()).toBe(0);

    await input.fill(nct);
    const hit = palette.getByRole('option', { name: new RegExp(`^${nct}`) });
    await hit.waitFor();
    check(await hit.innerText()).toContain('NCT ID contains · Data browser');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(resultsDir, `palette-${scheme}.png`) });
      const serious = await axeSerious(page);
      console.log(`axe with the palette open (${scheme}): ${serious.length} serious/critical`);
      check(serious).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // The hit is first (exact match), so Enter opens it.
    await eventually(() => hit.getAttribute('aria-selected'), 'true');
    await input.press('Enter');
    await eventually(() => Promise.resolve(pathOf(page)), `/d/data-browser?nct_id=${nct}`);
    check(await palette.count()).toBe(0);
    await waitForDashboard(page);
    await eventually(() => studyIds(page), [nct]);
    check(await page.getByLabel('NCT ID contains').inputValue()).toBe(nct);

    // Escape closes the palette and changes nothing.
    await page.keyboard.press('Control+k');
    await palette.waitFor();
    await page.keyboard.press('Escape');
    await eventually(() => palette.count(), 0);
    check(pathOf(page)).toBe(`/d/data-browser?nct_id=${nct}`);

    // `?` while typing in a filter is text; outside it opens the overlay.
    const filter = page.getByLabel('NCT ID contains');
    await filter.focus();
    await page.keyboard.press('End');
    await page.keyboard.type('?');
    check(await filter.inputValue()).toBe(`${nct}?`);
    check(await page.getByTestId('shortcuts-help').count()).toBe(0);
    await filter.fill(nct);
    await page.locator('h1').first().click();
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcuts-help');
    await help.waitFor();
    check(await help.getByRole('heading').innerText()).toBe('Keyboard shortcuts');
    // Focus is inside the modal dialog, and Tab keeps it there (the page behind is inert).
    check(await help.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    check(
      await help.evaluate(
        (d) => d.contains(document.activeElement) || document.activeElement === document.body,
      ),
    ).toBe(true);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(resultsDir, `shortcuts-${scheme}.png`) });
      const serious = await axeSerious(page);
      console.log(`axe with the shortcuts overlay open (${scheme}): ${serious.length} serious/critical`);
      check(serious).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('Escape');
    await eventually(() => help.count(), 0);

    // `/` focuses the filters.
    await page.keyboard.press('/');
    await eventually(() => page.evaluate(() => !!document.activeElement?.closest('.filter-bar')), true);
    await page.locator('h1').first().click();

    // g j: Jobs; g d: the dashboards; ] from the Data browser: the next dashboard in the list.
    await page.keyboard.press('g');
    await page.keyboard.press('j');
    await eventually(() => Promise.resolve(new URL(page.url()).pathname), '/jobs');
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.keyboard.press('g');
    await page.keyboard.press('d');
    await eventually(() => Promise.resolve(new URL(page.url()).pathname), '/');
    const list = (await (await suite.server.fetch('/api/v1/dashboards')).json()) as {
      dashboards: { id: string }[];
    };
    const order = list.dashboards.map((d) => d.id);
    const at = order.indexOf('data-browser');
    await page.goto(`${suite.server.baseUrl}/d/data-browser`);
    await waitForDashboard(page);
    // r asks for the dashboard's data again.
    const refetch = page.waitForRequest(
      (r) =>
        r.method() === 'POST' && /\/api\/v1\/dashboards\/data-browser\/widgets\/[^/]+\/data$/.test(r.url()),
      { timeout: 10_000 },
    );
    await page.keyboard.press('r');
    check(new URL((await refetch).url()).pathname).toMatch(/^\/api\/v1\/dashboards\/data-browser\/widgets\//);
    await waitForDashboard(page);
    await page.keyboard.press(']');
    await eventually(
      () => Promise.resolve(new URL(page.url()).pathname),
      `/d/${order[(at + 1) % order.length] ?? ''}`,
    );
    await page.keyboard.press('[');
    await eventually(() => Promise.resolve(new URL(page.url()).pathname), '/d/data-browser');
    check(pageErrors).toEqual([]);
    await page.close();
  });
});
