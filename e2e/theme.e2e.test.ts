/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { useBrowserSuite } from './browser-suite.js';
import { check, eventually, waitForDashboard } from './dashboard-page.js';
import { chromiumAvailable, resultsDir } from './e2e-harness.js';

/**
 * The theme toggle: Light / Dark / System in the account menu and as palette actions, kept across a
 * reload, applied before the first paint (the theme is already on <html> when <body> is parsed), and
 * "System" follows the operating system live.
 * Screenshots: test-results/theme-menu-{light,dark}.png.
 */
const available = chromiumAvailable();

const theme = (page: Page) => page.evaluate(() => document.documentElement.dataset.theme ?? '');
const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

describe.skipIf(!available)('theme toggle in Chromium', () => {
  const suite = useBrowserSuite('theme');
  const { pageErrors } = suite;

  it('account menu sets dark, kept on reload with no light first paint; palette sets light; system follows the OS', async () => {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // Records the theme at the moment <body> is inserted by the parser, i.e. before any paint.
    await page.addInitScript(() => {
      const w = window as unknown as { themeAtBody?: string };
      new MutationObserver((_m, obs) => {
        if (document.body) {
          w.themeAtBody = document.documentElement.dataset.theme ?? 'unset';
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${suite.server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    // Light system, no choice yet: light.
    check(await theme(page)).toBe('light');
    const lightBg = await background(page);

    await page.locator('.account-menu-button').click();
    const group = page.getByRole('group', { name: 'Theme' });
    check(await group.getByRole('radio', { name: 'System' }).isChecked()).toBe(true);
    await page.screenshot({ path: path.join(resultsDir, 'theme-menu-light.png') });
    await group.getByRole('radio', { name: 'Dark' }).check();
    await eventually(() => theme(page), 'dark');
    check(await background(page)).not.toBe(lightBg);
    await page.screenshot({ path: path.join(resultsDir, 'theme-menu-dark.png') });

    // Kept across a reload, and already dark when the body is parsed (no flash of light).
    await page.reload();
    await waitForDashboard(page);
    check(await page.evaluate(() => (window as unknown as { themeAtBody?: string }).themeAtBody)).toBe(
      'dark',
    );
    check(await theme(page)).toBe('dark');

    // The palette's action: type, Enter.
    await page.keyboard.press('Control+k');
    const palette = page.getByTestId('command-palette');
    await palette.waitFor();
    check(await palette.getByRole('option', { name: /Theme: Dark.*Current/ }).count()).toBe(1);
    await palette.getByRole('combobox').fill('theme: light');
    await eventually(() => palette.getByRole('option').count(), 1);
    await palette.getByRole('combobox').press('Enter');
    await eventually(() => palette.count(), 0);
    await eventually(() => theme(page), 'light');

    // System follows the OS live.
    await page.keyboard.press('Control+k');
    await palette.waitFor();
    await palette.getByRole('combobox').fill('theme: system');
    await palette.getByRole('combobox').press('Enter');
    await eventually(() => palette.count(), 0);
    await page.emulateMedia({ colorScheme: 'dark' });
    await eventually(() => theme(page), 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await eventually(() => theme(page), 'light');
    await page.reload();
    await waitForDashboard(page);
    check(await page.evaluate(() => localStorage.getItem('trellis.theme'))).toBe('system');
    check(pageErrors).toEqual([]);
    await page.close();
  });
});
