/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WidgetDataResponse } from '../contract/index.js';
import { applyFilter, waitForDashboard, waitForIdle } from './dashboard-page.js';
import {
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  resultsDir,
  startServer,
  type Browser,
  type RunningServer,
} from './e2e-harness.js';

/**
 * Widget exports from the browser: on the clinical-trials data browser, filter the studies table,
 * open its export menu with the keyboard, download CSV and XLSX, and check that each file holds
 * exactly the filtered rows (all of them, not the page on screen) — compared with the rows the data
 * API pages out for the same filter. Screenshots of the open menu, light and dark.
 */
const available = chromiumAvailable();
const FILTER = 'NCT0010';

describe.skipIf(!available)('exports in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let expectedIds: string[];

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    server = await startServer();
    browser = await launchBrowser(server);
    page = await browser.context.newPage();
    expectedIds = await filteredIds();
    expect(expectedIds.length).toBeGreaterThan(10); // more than one page of the table
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Every nct_id the table shows under the filter, paged out of the data API. */
  async function filteredIds(): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const r = await server.fetch('/api/v1/dashboards/data-browser/widgets/studies/data', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.baseUrl },
        body: JSON.stringify({ filters: { nct_id: FILTER }, page: { offset, limit: 500 } }),
      });
      const body = (await r.json()) as WidgetDataResponse;
      ids.push(...body.rows.map((row) => String(row[0])));
      if (ids.length >= (body.total ?? 0) || body.rows.length === 0) return ids;
    }
  }

  async function download(format: string): Promise<string> {
    const menu = page.locator('[data-widget-id="studies"] [data-testid="export-menu"]');
    // Keyboard: focus the menu's button, open it with Enter, activate the item.
    await menu.locator('summary').focus();
    await page.keyboard.press('Enter');
    const item = menu.locator(`a[data-format="${format}"]`);
    await item.waitFor({ state: 'visible' });
    const [file] = await Promise.all([page.waitForEvent('download'), item.press('Enter')]);
    expect(file.suggestedFilename()).toMatch(
      new RegExp(`^data-browser-studies-\\d{4}-\\d{2}-\\d{2}\\.${format.split('-')[0]}$`),
    );
    const saved = path.join(resultsDir, `export-${format}-${Date.now()}.${format.split('-')[0]}`);
    await file.saveAs(saved);
    return saved;
  }

  it('CSV of the filtered table holds exactly the filtered rows', async () => {
    await page.goto(`${server.baseUrl}/d/data-browser`);
    await waitForDashboard(page);
    await applyFilter(page, { kind: 'text', filter: 'nct_id', text: FILTER });
    await page.waitForURL(/nct_id/);
    await waitForIdle(page, 'studies');
    await waitForDashboard(page, ['ready', 'empty']);
    const csv = readFileSync(await download('csv'), 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]?.split(',')[0]).toBe('"NCT ID"');
    const ids = lines.slice(1).map((l) => JSON.parse(l.split(',')[0] ?? '""') as string);
    expect(ids).toEqual(expectedIds);
    expect(ids.every((id) => id.includes(FILTER))).toBe(true);
  }, 120_000);

  it('XLSX of the filtered table holds exactly the filtered rows', async () => {
    const file = await download('xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('Data');
    const ids: string[] = [];
    sheet?.eachRow((row, n) => {
      if (n > 1) ids.push(String(row.getCell(1).value));
    });
    expect(ids).toEqual(expectedIds);
  }, 120_000);

  it('the export menu, light and dark (screenshots)', async () => {
    const menu = page.locator('[data-widget-id="studies"] [data-testid="export-menu"]');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await menu.locator('summary').click();
      await menu.locator('a').first().waitFor({ state: 'visible' });
      await page
        .locator('[data-widget-id="studies"]')
        .screenshot({ path: path.join(resultsDir, `export-menu-${scheme}.png`) });
      await page.keyboard.press('Escape');
      await expect.poll(() => menu.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }, 60_000);

  it('a chart as PNG at twice its size, with its caption, and as SVG', async () => {
    await page.goto(`${server.baseUrl}/d/distributions`);
    await waitForDashboard(page);
    const card = page.locator('[data-widget-id="phase"]');
    await card.locator('.chart[data-rendered="true"]').waitFor();
    const box = await card.locator('.chart').evaluate((el) => ({ w: el.clientWidth, h: el.clientHeight }));
    const menu = card.locator('[data-testid="export-menu"]');
    await menu.locator('summary').focus();
    await page.keyboard.press('Enter');
    const png = menu.locator('button[data-format="png"]');
    await png.waitFor({ state: 'visible' });
    await card.screenshot({ path: path.join(resultsDir, 'export-menu-chart.png') });
    const [file] = await Promise.all([page.waitForEvent('download'), png.press('Enter')]);
    expect(file.suggestedFilename()).toMatch(/^distributions-phase-\d{4}-\d{2}-\d{2}\.png$/);
    const saved = path.join(resultsDir, 'chart-export.png');
    await file.saveAs(saved);
    const bytes = readFileSync(saved);
    // The PNG signature, then IHDR: width and height, big-endian, at bytes 16 and 20.
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(bytes.readUInt32BE(16)).toBe(box.w * 2);
    const pngHeight = bytes.readUInt32BE(20);

    await menu.locator('summary').click();
    const svgItem = menu.locator('button[data-format="svg"]');
    await svgItem.waitFor({ state: 'visible' });
    const [svgFile] = await Promise.all([page.waitForEvent('download'), svgItem.click()]);
    const svgPath = path.join(resultsDir, 'chart-export.svg');
    await svgFile.saveAs(svgPath);
    const svg = readFileSync(svgPath, 'utf8');
    // The same picture: the PNG is the SVG (chart plus the caption above it) at twice the pixels.
    const [, svgWidth, svgHeight] = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
    expect(Number(svgWidth)).toBe(box.w);
    expect(Number(svgHeight)).toBeGreaterThan(box.h);
    expect(pngHeight).toBe(Number(svgHeight) * 2);
    expect(svg).toContain('>Phase</text>');
    expect(svg).toContain('>No filters</text>');
    expect(svg).toMatch(/>Data as of [^<]+<\/text>/);
    // The chart's own labels are in it: a phase from the data.
    expect(svg).toMatch(/PHASE\d/);
    // Well-formed XML, as the browser's own parser sees it (an image viewer would refuse less).
    const parseError = await page.evaluate(
      (text) =>
        new DOMParser().parseFromString(text, 'image/svg+xml').querySelector('parsererror')?.textContent ??
        null,
      svg,
    );
    expect(parseError).toBeNull();
    // Look at it: the PNG opened in the browser.
    const view = await browser.context.newPage();
    await view.goto(`data:image/png;base64,${bytes.toString('base64')}`);
    await view.screenshot({ path: path.join(resultsDir, 'chart-export-view.png') });
    await view.close();
  }, 60_000);
});
