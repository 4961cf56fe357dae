/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { useBrowserSuite } from './browser-suite.js';
import { check, eventually, waitForDashboard } from './dashboard-page.js';
import { axeSerious, chromiumAvailable, screenshotBothSchemes } from './e2e-harness.js';

/**
 * Own layouts on the clinical-trials overview: Arrange, drag a widget with the mouse, save; the
 * layout is kept across a reload; the arrow keys move the focused widget and Shift+arrows resize it;
 * Escape leaves without saving; "Reset to the project's layout" brings the project's back; a phone
 * keeps one column.
 * Screenshots: test-results/layout-arrange-{light,dark}.png, test-results/layout-own-{light,dark}.png.
 */
const available = chromiumAvailable();

/** The grid slot of each widget with an own layout: `column / row` as placed by the page. */
const slots = (page: Page) =>
  page.locator('.own-layout > .layout-slot').evaluateAll((els) =>
    Object.fromEntries(
      els.map((el) => {
        const s = (el as HTMLElement).style;
        return [
          el.querySelector('[data-widget-id]')?.getAttribute('data-widget-id') ?? '?',
          `${s.getPropertyValue('--slot-column')} | ${s.getPropertyValue('--slot-row')}`,
        ];
      }),
    ),
  );

describe.skipIf(!available)('own layouts in Chromium', () => {
  const suite = useBrowserSuite('layouts');
  const { pageErrors } = suite;

  it('a widget dragged and saved stays after a reload; keyboard arrange; Escape; reset', async () => {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${suite.server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    check(await page.locator('.own-layout').count()).toBe(0);

    await page.getByRole('button', { name: 'Arrange' }).click();
    const arrange = page.getByTestId('arrange');
    await arrange.waitFor();
    const tiles = arrange.locator('[data-widget-tile]');
    await eventually(async () => (await tiles.count()) > 3, true);
    const first = tiles.first();
    const id = (await first.getAttribute('data-widget-tile')) ?? '';
    // Focus starts on the first tile, so the keyboard works at once.
    await eventually(() => first.evaluate((el) => el === document.activeElement), true);
    const before = await first.getAttribute('aria-label');
    check(before).toMatch(/column 1, row 1/);

    // Drag it by the mouse to the right and down (a third of the grid over, a few rows down).
    const box = await first.boundingBox();
    const grid = await arrange.locator('.react-grid-layout').boundingBox();
    if (!box || !grid) throw new Error('no tile box');
    await page.mouse.move(box.x + 20, box.y + 20);
    await page.mouse.down();
    for (let s = 1; s <= 10; s++)
      await page.mouse.move(box.x + 20 + (grid.width / 2) * (s / 10), box.y + 20 + 300 * (s / 10));
    await page.mouse.up();
    const dragged = tiles.and(page.locator(`[data-widget-tile="${id}"]`));
    await eventually(async () => (await dragged.getAttribute('aria-label')) !== before, true);
    check(await dragged.getAttribute('aria-label')).not.toMatch(/column 1, row 1,/);
    await screenshotBothSchemes(page, 'layout-arrange');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const serious = await axeSerious(page);
      console.log(`axe in arrange mode (${scheme}): ${serious.length} serious/critical`);
      check(serious).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await arrange.getByRole('button', { name: 'Save layout' }).click();
    await eventually(() => arrange.count(), 0);
    await page.locator('.own-layout').waitFor();
    const saved = await slots(page);
    check(saved[id]).toBeDefined();
    check(saved[id]).not.toMatch(/^1 \//);

    // Kept across a reload.
    await page.reload();
    await waitForDashboard(page);
    await page.locator('.own-layout').waitFor();
    check(await slots(page)).toEqual(saved);
    await screenshotBothSchemes(page, 'layout-own');

    // Keyboard: Arrange, the focused tile moves left with ←, grows with Shift+→; Escape drops it.
    await page.getByRole('button', { name: 'Arrange' }).click();
    await arrange.waitFor();
    const tile = arrange.locator(`[data-widget-tile="${id}"]`);
    await tile.focus();
    const label = (await tile.getAttribute('aria-label')) ?? '';
    const col = Number(/column (\d+)/.exec(label)?.[1]);
    const wide = Number(/(\d+) wide/.exec(label)?.[1]);
    await page.keyboard.press('ArrowLeft');
    await eventually(
      async () => (await tile.getAttribute('aria-label'))?.includes(`column ${col - 1},`),
      true,
    );
    // The moved tile keeps the focus (the grid re-renders it; under load that settles after the label).
    await eventually(() => tile.evaluate((el) => el === document.activeElement), true);
    await page.keyboard.press('Shift+ArrowRight');
    await eventually(async () => (await tile.getAttribute('aria-label'))?.includes(`${wide + 1} wide`), true);
    await page.keyboard.press('Escape');
    await eventually(() => arrange.count(), 0);
    check(await slots(page)).toEqual(saved);

    // The keyboard change saved this time.
    await page.getByRole('button', { name: 'Arrange' }).click();
    await arrange.waitFor();
    await tile.focus();
    await page.keyboard.press('Shift+ArrowRight');
    await eventually(async () => (await tile.getAttribute('aria-label'))?.includes(`${wide + 1} wide`), true);
    await arrange.getByRole('button', { name: 'Save layout' }).click();
    await eventually(() => arrange.count(), 0);
    await eventually(async () => (await slots(page))[id]?.includes(`span ${wide + 1}`), true);

    // A phone keeps one column: every card as wide as the grid, and no Arrange button.
    await page.setViewportSize({ width: 390, height: 800 });
    const widths = await page
      .locator('.own-layout > .layout-slot')
      .evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().width)));
    const gridWidth = await page
      .locator('.own-layout')
      .evaluate((el) => Math.round(el.getBoundingClientRect().width));
    check(new Set(widths)).toEqual(new Set([gridWidth]));
    check(await page.getByRole('button', { name: 'Arrange' }).isVisible()).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });

    // Reset to the project's layout: kept after a reload too.
    await page.getByRole('button', { name: 'Arrange' }).click();
    await arrange.getByRole('button', { name: 'Reset to the project’s layout' }).click();
    await eventually(() => arrange.count(), 0);
    check(await page.locator('.own-layout').count()).toBe(0);
    await page.reload();
    await waitForDashboard(page);
    check(await page.locator('.own-layout').count()).toBe(0);
    check(pageErrors).toEqual([]);
    await page.close();
  });
});
