/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForDashboard } from './dashboard-page.js';
import {
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  repoRoot,
  resultsDir,
  startServer,
  type Browser,
  type RunningServer,
} from './e2e-harness.js';

/**
 * The Data page in Chromium against the real server, on a copy of the clinical-trials example (an
 * import rewrites its DuckDB file): a CSV dragged onto the page uploads with progress (throttled, so
 * it can be seen and cancelled), shows preview, profile and report, imports, and the Enrollment
 * success dashboard open in another tab changes without a reload; a bad file shows its row report and
 * downloads it; a rollback brings the old numbers back. Screenshots light and dark.
 */
const available = chromiumAvailable();
const GOOD =
  'Sponsor,Target\nAldermoor Pharmaceuticals,900000\nBellcrest Biologics,450000\nCorvalis Biotech,650000\n';
const SECOND = 'Sponsor,Target\nAldermoor Pharmaceuticals,1000000\n';
const BAD =
  'Sponsor,Target\nAldermoor Pharmaceuticals,lots\n,5\nBellcrest Biologics,-3\nCorvalis Biotech,7\n';

describe.skipIf(!available)('the Data page in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let copy: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    copy = mkdtempSync(path.join(tmpdir(), 'trellis-uploads-e2e-'));
    cpSync(path.join(repoRoot, 'examples', 'clinical-trials'), copy, {
      recursive: true,
      filter: (src) => !/\.(ingest\.duckdb|wal|tmp)$/.test(src),
    });
    // Profiles exact up to 3 rows: the good file (3 rows) is profiled exactly, the bad one (4) estimated.
    appendFileSync(path.join(copy, 'uploads', 'enrollment_targets.yaml'), '\nprofile: { exact_rows: 3 }\n');
    // Imports are the worker's: this server runs one, as `trellis serve` (role all) does.
    server = await startServer('clinical-trials', { projectDir: copy, jobs: true });
    browser = await launchBrowser(server);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      // Refusals the page shows on purpose (a cancelled upload) log their status; nothing else may.
      if (msg.type() === 'error' && !/status of (422|400)/.test(msg.text()))
        pageErrors.push(`${page.url()}: console: ${msg.text()}`);
    });
    return page;
  }
  const shot = async (page: Page, name: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(resultsDir, `${name}-${scheme}.png`), fullPage: true });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };
  const kpi = (page: Page) => page.locator('[data-widget-id="targets"]').innerText();
  const waitForKpi = async (page: Page, changedFrom: string) => {
    await page.waitForFunction(
      (before) => {
        const el = document.querySelector<HTMLElement>('[data-widget-id="targets"]');
        return el && el.dataset.fetching === 'false' && el.innerText !== before;
      },
      changedFrom,
      { timeout: 30_000 },
    );
    return kpi(page);
  };
  async function drop(page: Page, name: string, content: string): Promise<void> {
    const data = await page.evaluateHandle(
      ([n, c]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([c ?? ''], n ?? 'f.csv', { type: 'text/csv' }));
        return dt;
      },
      [name, content],
    );
    await page.dispatchEvent('[data-testid="drop-zone"]', 'drop', { dataTransfer: data });
  }
  const review = (page: Page) => page.getByTestId('upload-review');
  async function dropBytes(page: Page, name: string, bytes: Buffer): Promise<void> {
    const data = await page.evaluateHandle(
      ([n, b64]) => {
        const raw = atob(b64 ?? '');
        const arr = Uint8Array.from(raw, (ch) => ch.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([arr], n ?? 'f.bin'));
        return dt;
      },
      [name, bytes.toString('base64')],
    );
    await page.dispatchEvent('[data-testid="drop-zone"]', 'drop', { dataTransfer: data });
  }

  it('uploads with progress and cancel, previews, profiles, imports; the open dashboard changes', async () => {
    const dashboard = await newPage();
    await dashboard.goto(`${server.baseUrl}/d/enrollment-success`);
    await waitForDashboard(dashboard, ['ready', 'empty']);
    const before = await kpi(dashboard);

    const page = await newPage();
    await page.goto(`${server.baseUrl}/data`);
    await page.getByRole('heading', { name: 'Enrollment targets' }).waitFor();
    await page.getByText('No versions yet').waitFor();
    await shot(page, 'uploads-empty');

    // A large file on a throttled upload: the progress bar with bytes/s, then Cancel.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 64 * 1024,
    });
    const big = `Sponsor,Target\n${Array.from({ length: 40_000 }, (_, i) => `Sponsor ${i},${i}`).join('\n')}\n`;
    await drop(page, 'big.csv', big);
    const progress = page.getByTestId('upload-progress');
    await progress.waitFor();
    await page.waitForFunction(() =>
      /\d.*\/s/.test(document.querySelector('[data-testid="upload-progress"]')?.textContent ?? ''),
    );
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).not.toBeNull();
    await shot(page, 'uploads-progress');
    await page.getByRole('button', { name: 'Cancel upload' }).click();
    await page.getByText('The upload was cancelled.').waitFor();
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    await drop(page, 'targets.csv', GOOD);
    await review(page).waitFor();
    await page.getByTestId('upload-preview').getByRole('cell', { name: 'Bellcrest Biologics' }).waitFor();
    await page.locator('.quality-score').waitFor();
    expect(await page.locator('.quality-score').innerText()).toBe('100');
    await page.getByText('3 rows: 3 valid, 0 invalid').waitFor();
    expect(await page.getByTestId('profile-approximate').count()).toBe(0);
    expect(await page.getByTestId('upload-profile').innerText()).not.toContain('≈');
    await shot(page, 'uploads-preview-profile');

    // Keyboard: the import button is reached and pressed without the mouse.
    const importButton = page.getByRole('button', { name: 'Import as a new version' });
    await importButton.focus();
    await page.keyboard.press('Enter');
    await page.getByText(/Version 1 is live: 3 rows/).waitFor();
    const afterFirst = await waitForKpi(dashboard, before);
    expect(afterFirst).toContain('900,000');
    expect(before).not.toContain('900,000');
    // Each open dashboard holds an event stream; Chromium allows 6 connections per host.
    await page.close();
    await dashboard.close();
  });

  it('a bad file: the row report, its download, no import', async () => {
    const page = await newPage();
    await page.goto(`${server.baseUrl}/data`);
    await page.getByRole('heading', { name: 'Enrollment targets' }).waitFor();
    // The file picker path (keyboard users): the hidden input behind "Choose a file…".
    await page.setInputFiles('input[type="file"]', {
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(BAD),
    });
    const report = page.getByTestId('upload-report');
    await report.getByText('4 rows: 1 valid, 3 invalid').waitFor();
    const rows = await report
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent).join('|')),
      );
    expect(rows).toEqual([
      '1|target|lots|wrong type',
      '2|sponsor|empty|required',
      '3|target|-3|out of range',
    ]);
    expect(await page.getByRole('button', { name: 'Import as a new version' }).isDisabled()).toBe(true);
    await page.getByText(/3 of 4 rows are invalid/).waitFor();
    // Above the target's profile.exact_rows the estimated figures are marked.
    await page.getByTestId('profile-approximate').waitFor();
    expect(await page.getByTestId('profile-approximate').innerText()).toContain('Above 3 rows');
    expect(await page.getByTestId('upload-profile').locator('td', { hasText: '≈' }).count()).toBeGreaterThan(
      0,
    );
    await shot(page, 'uploads-report');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download report (CSV)' }).click(),
    ]);
    const file = await download.path();
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('"row","column","value","rule"');
    expect(csv).toContain('1,"target","lots","type"');
    // A leading minus could start a formula in a spreadsheet: the value is defused, not dropped.
    expect(csv).toContain('3,"target","\'-3","range"');
    await page.close();
  });

  it('a second version, then a rollback brings the old numbers back', async () => {
    const dashboard = await newPage();
    await dashboard.goto(`${server.baseUrl}/d/enrollment-success`);
    await waitForDashboard(dashboard, ['ready', 'empty']);
    const v1 = await kpi(dashboard);

    const page = await newPage();
    await page.goto(`${server.baseUrl}/data`);
    await drop(page, 'more.csv', SECOND);
    await page.getByRole('button', { name: 'Import as a new version' }).click();
    await page.getByText(/Version 2 is live: 3 rows, \+0 rows/).waitFor();
    const v2 = await waitForKpi(dashboard, v1);
    expect(v2).toContain('1,000,000');
    expect(v1).not.toContain('1,000,000');

    const versions = page.getByTestId('upload-versions');
    await versions.getByText('current').waitFor();
    await shot(page, 'uploads-versions');
    await versions.getByRole('button', { name: 'Roll back to v1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Roll back to version 1?').waitFor();
    await shot(page, 'uploads-rollback-confirm');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await versions.getByRole('button', { name: 'Roll back to v2' }).waitFor();
    expect(await waitForKpi(dashboard, v2)).toBe(v1);
    expect(pageErrors).toEqual([]);
    await page.close();
    await dashboard.close();
  });

  it('an XLSX: its first sheet is read, another picked from the list; a Windows-1252 CSV by choice', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Targets').addRows([
      ['Sponsor', 'Target'],
      ['Aldermoor Pharmaceuticals', 42],
    ]);
    wb.addWorksheet('Next year').addRows([
      ['Sponsor', 'Target'],
      ['Bellcrest Biologics', 77],
    ]);
    const page = await newPage();
    await page.goto(`${server.baseUrl}/data`);
    await page.getByRole('heading', { name: 'Enrollment targets' }).waitFor();
    await dropBytes(page, 'targets.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    await page
      .getByTestId('upload-preview')
      .getByRole('cell', { name: 'Aldermoor Pharmaceuticals' })
      .waitFor();
    const sheet = page.getByLabel('Sheet of targets.xlsx');
    expect(await sheet.inputValue()).toBe('Targets');
    await sheet.selectOption('Next year');
    await page.getByTestId('upload-preview').getByRole('cell', { name: 'Bellcrest Biologics' }).waitFor();
    expect(await page.getByLabel('Sheet of targets.xlsx').inputValue()).toBe('Next year');
    await shot(page, 'uploads-xlsx-sheet');

    await page.getByLabel('Text encoding').selectOption('windows-1252');
    await dropBytes(page, 'latin.csv', Buffer.from('Sponsor,Target\nSociété Générale,5\n', 'latin1'));
    await page.getByTestId('upload-preview').getByRole('cell', { name: 'Société Générale' }).waitFor();
    await page.getByText('Read as WINDOWS-1252.').waitFor();
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
