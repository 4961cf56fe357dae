/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import type { Locator, Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { defaultConfig } from '../server/config/env.js';
import { useBrowserSuite } from './browser-suite.js';
import { check, eventually, waitForDashboard } from './dashboard-page.js';
import { chromiumAvailable, openAudited, screenshotBothSchemes } from './e2e-harness.js';

/**
 * Layout found in review (issues 13/14), in Chromium: the dashboard's menu buttons (PDF / PNG, a
 * widget's Export) and the actions inside the PDF / PNG panel look like the toolbar's buttons; a
 * KPI card's Export menu is not cut off by its short card; the Subscriptions page's tables fit at
 * 1280 and 1024 px and, on a phone, scroll sideways in a labelled region a keyboard can focus.
 * Screenshots, light and dark: test-results/layout-*.png.
 */
const available = chromiumAvailable();

/** The look that makes a control read as a button: its border and background colours. */
const look = (el: Locator) =>
  el.evaluate((e) => {
    const s = getComputedStyle(e);
    return { border: s.borderTopColor, background: s.backgroundColor, borderWidth: s.borderTopWidth };
  });

/** Screenshots, light and dark: test-results/layout-<name>-{light,dark}.png. */
const bothSchemes = (page: Page, name: string) => screenshotBothSchemes(page, `layout-${name}`);

describe.skipIf(!available)('menus and tables laid out in Chromium', () => {
  const suite = useBrowserSuite('layout', 'clinical-trials', {
    config: {
      // Alerts and reports by e-mail need mail settings; nothing is delivered in this test.
      mail: {
        smtpUrl: 'smtp://127.0.0.1:9',
        from: 'a@example.test',
        publicOrigin: 'https://t.example.test',
      },
      reports: { ...defaultConfig().reports },
    },
  });

  it('PDF / PNG and Export are buttons like the toolbar, and a KPI card does not cut its menu off', async () => {
    const page = await suite.browser.context.newPage();
    await page.goto(`${suite.server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    const toolbar = await look(page.getByRole('button', { name: 'Subscribe…' }));
    check(toolbar.borderWidth).toBe('1px');
    const pdf = page.locator('[data-testid="pdf-menu"] > summary');
    const kpi = page.locator('[data-widget-id="studies"]');
    const exportButton = kpi.locator('[data-testid="export-menu"] > summary');
    for (const button of [pdf, exportButton])
      check(await look(button), 'a menu button looks like the toolbar buttons').toEqual(toolbar);

    // The KPI card is shorter than its Export menu: the menu shows whole, above the next card.
    await exportButton.click();
    const popup = kpi.locator('.export-menu-popup');
    await popup.getByRole('link', { name: 'Excel (XLSX)' }).waitFor();
    const [card, menu] = [await kpi.boundingBox(), await popup.boundingBox()];
    check(menu!.y + menu!.height, 'the menu reaches below its card').toBeGreaterThan(card!.y + card!.height);
    const lastItem = popup.getByRole('link', { name: 'NDJSON' });
    const box = (await lastItem.boundingBox())!;
    const hit = await page.evaluate(
      ([x, y]) => document.elementFromPoint(x!, y!)?.textContent ?? '',
      [box.x + box.width / 2, box.y + box.height / 2],
    );
    check(hit, 'the last format is on top, not hidden by the card or the next one').toBe('NDJSON');
    await bothSchemes(page, 'kpi-export-menu');
    await page.keyboard.press('Escape');

    // Inside the PDF / PNG panel, its two actions are buttons (a primary and a secondary one).
    await pdf.click();
    const create = page.getByRole('button', { name: 'Create PDF' });
    await create.waitFor();
    const primary = await look(create);
    check(primary.background, 'Create PDF is filled').not.toBe('rgba(0, 0, 0, 0)');
    check(await look(page.getByRole('button', { name: 'Full-page PNG' })), 'Full-page PNG').toEqual(toolbar);
    await bothSchemes(page, 'pdf-menu');
    await page.close();
  });

  it('the Subscriptions tables fit at 1280 and 1024 px and scroll in a labelled region on a phone', async () => {
    const post = (url: string, body: unknown) =>
      suite.server.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: suite.server.baseUrl },
        body: JSON.stringify(body),
      });
    const alert = { dashboard: 'overview', widget: 'studies', everyMinutes: 5 };
    const made = [
      await post('/api/v1/alerts', {
        ...alert,
        condition: 'change',
        threshold: 10,
        channel: 'webhook',
        url: 'https://hooks.example.test/a/rather/long/path/to/the/receiver/of/alerts?token=abcdef0123456789',
      }),
      await post('/api/v1/alerts', { ...alert, condition: 'above', threshold: 1000, channel: 'email' }),
      await post('/api/v1/subscriptions', {
        dashboard: 'overview',
        format: 'pdf',
        query: '?status=COMPLETED',
        schedule: '0 8 * * 1',
        timeZone: 'Europe/Berlin',
        channel: 'email',
      }),
    ];
    check(made.map((r) => r.status)).toEqual([201, 201, 201]);

    const { page, serious } = await openAudited(suite.browser, `${suite.server.baseUrl}/subscriptions`, {
      ready: (p) => p.locator('[data-alert-id]').nth(1).waitFor(),
    });
    check(serious).toEqual({ light: [], dark: [] });
    const region = page.getByRole('region', { name: 'Table of alerts' });
    const overflow = (scroller: Locator) =>
      scroller.evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
    for (const width of [1280, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(200);
      for (const scroller of [region, page.locator('.table-scroll').first()]) {
        const { scroll, client } = await overflow(scroller);
        check(scroll, `at ${width} px the table fits its box`).toBeLessThanOrEqual(client);
      }
      // Every row's last action is inside the page.
      for (const del of await page.getByRole('button', { name: /^Delete/ }).all()) {
        const b = (await del.boundingBox())!;
        check(b.x + b.width, `Delete inside ${width} px`).toBeLessThanOrEqual(width);
      }
      await bothSchemes(page, `subscriptions-${width}`);
    }
    // A phone: the alerts scroll sideways in their region, which takes keyboard focus.
    await page.setViewportSize({ width: 390, height: 900 });
    await page.waitForTimeout(200);
    const { scroll, client } = await overflow(region);
    check(scroll, 'at 390 px the region scrolls').toBeGreaterThan(client);
    await region.focus();
    check(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Table of alerts',
    );
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    // Chromium animates a keyboard scroll: read it once the animation has moved (0 right after the
    // key press was seen in a loaded CI run).
    const scrolled = async () => (await region.evaluate((e) => e.scrollLeft)) > 0;
    await eventually(scrolled, true, 5_000);
    check(await scrolled(), 'arrow keys scroll the focused region').toBe(true);
    await bothSchemes(page, 'subscriptions-390');
    await page.close();
  });
});
