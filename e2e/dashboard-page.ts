/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import { isDeepStrictEqual } from 'node:util';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What the browser suites do to a dashboard page: wait for every widget to settle, read what each
 * shows, change a filter. Shared by the suites of each example (one file per example project).
 */

/** Every browser assertion goes through here, so a suite can say how many ran. */
export const checks = { count: 0 };
export function check<T>(actual: T, message?: string) {
  checks.count++;
  return expect(actual, message);
}

/** How a dashboard's filter is changed in its test. */
export type FilterPlan =
  | { kind: 'multi'; filter: string; option: string; keyboard?: boolean }
  | { kind: 'text'; filter: string; text: string };

export type Widget = { id: string; state: string };

/**
 * Waits until every widget has settled (no skeleton, not fetching, charts drawn) in one of the
 * `accepted` states (by default: all "ready") and returns the widget states.
 */
export async function waitForDashboard(
  page: Page,
  accepted: readonly string[] = ['ready'],
): Promise<Widget[]> {
  await page.locator('[data-widget-id]').first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    (ok) => {
      const cards = [...document.querySelectorAll<HTMLElement>('[data-widget-id]')];
      return (
        cards.length > 0 &&
        cards.every((c) => c.dataset.fetching === 'false' && ok.includes(c.dataset.state ?? '')) &&
        [...document.querySelectorAll<HTMLElement>('.chart')].every((c) => c.dataset.rendered === 'true')
      );
    },
    [...accepted],
    { timeout: 60_000 },
  );
  return page.locator('[data-widget-id]').evaluateAll((els) =>
    els.map((e) => ({
      id: (e as HTMLElement).dataset.widgetId ?? '',
      state: (e as HTMLElement).dataset.state ?? '',
    })),
  );
}

/** Polls until `read` returns `expected` (or times out), then records it as one browser check. */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!isDeepStrictEqual(value, expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  check(value).toEqual(expected);
}

export async function waitForIdle(page: Page, widgetId: string): Promise<void> {
  await page.locator(`[data-widget-id="${widgetId}"][data-fetching="false"]`).waitFor();
}

/**
 * What each widget shows, keyed by widget id: the visible text of KPIs, tables and text widgets,
 * and for charts their description of the data (the chart's aria-label).
 */
export async function signature(page: Page): Promise<Record<string, string>> {
  return page.locator('[data-widget-id]').evaluateAll((els) =>
    Object.fromEntries(
      els.map((e) => {
        const el = e as HTMLElement;
        // A chart's SVG text comes in drawing order, which varies; its description does not.
        const chart = el.querySelector('.chart');
        const body = el.querySelector<HTMLElement>('.widget-body');
        return [
          el.dataset.widgetId ?? '',
          chart ? (chart.getAttribute('aria-label') ?? '') : (body?.innerText ?? ''),
        ];
      }),
    ),
  );
}

/** Charts redraw a moment after their data arrives; wait until some widget differs from `before`. */
export async function waitForChange(
  page: Page,
  before: Record<string, string>,
): Promise<Record<string, string>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await signature(page);
    if (Object.keys(now).some((k) => now[k] !== before[k]) || Date.now() > deadline) return now;
    await page.waitForTimeout(100);
  }
}

export async function applyFilter(page: Page, plan: FilterPlan): Promise<void> {
  const control = page.locator(`[data-filter-id="${plan.filter}"]`);
  if (plan.kind === 'text') {
    await control.locator('input').fill(plan.text);
    return;
  }
  const input = control.getByRole('combobox');
  if (plan.keyboard) {
    // Type to search, arrow to the match, Enter to pick it, Escape to close.
    await input.focus();
    await input.pressSequentially(plan.option.slice(0, 5).toLowerCase());
    const option = control.getByRole('option', { name: new RegExp(`^✓?\\s*${plan.option}\\b`) });
    await option.waitFor();
    const options = await control.getByRole('option').allTextContents();
    const index = options.findIndex((t) => t.replace(/^✓/, '').startsWith(plan.option));
    if (index < 0) throw new Error(`option ${plan.option} not offered: ${options.join(' | ')}`);
    for (let i = 0; i <= index; i++) await input.press('ArrowDown');
    await input.press('Enter');
    await input.press('Escape');
    check(await control.getByRole('listbox').count(), 'Escape closes the list').toBe(0);
  } else {
    await input.click();
    const option = control.getByRole('option', { name: new RegExp(`^✓?\\s*${plan.option}\\b`) });
    await option.click();
    await input.press('Escape');
  }
  check(await control.locator('.chip-text').allTextContents()).toEqual([plan.option]);
}

export async function columnNumbers(page: Page, widgetId: string, header: string): Promise<number[]> {
  return page.locator(`[data-widget-id="${widgetId}"] table`).evaluate((table, name) => {
    const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
    const col = headers.findIndex((h) => h.includes(name));
    return [...table.querySelectorAll('tbody tr')].map((tr) =>
      Number((tr.children[col]?.textContent ?? '').replace(/[^\d.-]/g, '')),
    );
  }, header);
}
