/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PipelineList, RunSummary } from '../contract/index.js';
import { waitForDashboard } from './dashboard-page.js';
import { useBrowserSuite } from './browser-suite.js';
import {
  chromiumAvailable,
  launchBrowser,
  resultsDir,
  screenshotBothSchemes,
  type Browser,
} from './e2e-harness.js';

/**
 * The Jobs page and what runs do to the rest of the app, in Chromium against the real server, job
 * worker and pipeline runner: the clinical-trials example (a copy: runs rewrite its data folder)
 * with its `ctgov` pipeline pointed at the local ClinicalTrials.gov replay server. Run now from the
 * keyboard, live progress, the refresh badge and new row counts on an open dashboard without a
 * reload, the offer to queue behind a running run, cancel, a failure with its message and log, a
 * viewer without the buttons, and a project without pipelines.
 */
const available = chromiumAvailable();
const PIPELINE = 'ClinicalTrials.gov studies';
const STUDIES = 2_000;
const PASSWORD = 'correct horse battery staple';
const VIEWER = 'viv@atlas.example';

/**
 * The copy's daily schedule: twelve hours from now. The example's own (03:30 UTC) would make a worker
 * started between 03:30 and 04:30 run its missed tick at once (scheduler.ts), and the idle page would
 * not be idle.
 */
const SCHEDULE = `30 ${(new Date().getUTCHours() + 12) % 24} * * *`;

/** A copy of the example whose ctgov pipeline pages finely and gives up quickly (seconds, not minutes). */
function editCopy(dir: string): void {
  const file = path.join(dir, 'pipelines', 'ctgov.yaml');
  const yaml = readFileSync(file, 'utf8');
  // Each edit must find its line: a changed example fails here, not as a slow or flaky page later. (A
  // count of changed lines would miss at 15:xx UTC, when the copy's schedule equals the example's.)
  const edits: [RegExp, string][] = [
    [/pageSize: 500\b/, 'pageSize: 200'],
    [/retries: 6\b/, 'retries: 1'],
    [/backoff: 2s\b/, 'backoff: 100ms'],
    [/max_backoff: 120s\b/, 'max_backoff: 1s'],
    [/schedule: '30 3 \* \* \*'/, `schedule: '${SCHEDULE}'`],
  ];
  let edited = yaml;
  for (const [pattern, replacement] of edits) {
    if (!pattern.test(edited))
      throw new Error(
        `pipelines/ctgov.yaml changed (${pattern.source} not found): update the e2e copy edits`,
      );
    edited = edited.replace(pattern, replacement);
  }
  writeFileSync(file, edited);
}

describe.skipIf(!available)('the Jobs page in Chromium', () => {
  const suite = useBrowserSuite('jobs', 'clinical-trials', {
    editCopy,
    replay: { studies: STUDIES },
    jobs: true,
  });
  const { pageErrors } = suite;

  async function newPage(b: Browser = suite.browser): Promise<Page> {
    const page = await b.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      // The 409 of Run now while running is expected (the page offers to queue); nothing else.
      if (msg.type() === 'error' && !msg.text().includes('status of 409'))
        pageErrors.push(`${page.url()}: console: ${msg.text()}`);
    });
    return page;
  }
  const shot = screenshotBothSchemes;
  const card = (page: Page) => page.locator('[data-pipeline-id="ctgov"]');
  const runButton = (page: Page) => page.getByRole('button', { name: `Run now: ${PIPELINE}` });
  const pipeline = async () => {
    const list = (await (await suite.server.fetch('/api/v1/pipelines')).json()) as PipelineList;
    const p = list.pipelines.find((x) => x.id === 'ctgov');
    if (!p) throw new Error('no ctgov pipeline for atlas');
    return p;
  };
  const settled = async () => {
    await expect.poll(async () => (await pipeline()).activeRun, { timeout: 60_000 }).toBeNull();
    return pipeline();
  };
  const kpi = (page: Page) => page.locator('[data-widget-id="studies"] .kpi-value').textContent();

  it('shows the pipeline idle: schedule, never run, a labelled Run now button', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
    await page.waitForURL(/\/jobs$/);
    await card(page).waitFor();
    expect(await card(page).locator('h2').textContent()).toBe(PIPELINE);
    expect(await card(page).textContent()).toContain(SCHEDULE);
    expect(await card(page).getByTestId('last-run').textContent()).toContain('Never run');
    await runButton(page).waitFor();
    expect(await page.getByTestId('run-progress').count()).toBe(0);
    await shot(page, 'jobs-idle');
    await page.close();
  });

  it('a viewer sees the pipeline and its runs but no Run now or Cancel', async () => {
    await suite.server.addMember(VIEWER, PASSWORD, 'viewer');
    const viewer = await launchBrowser({
      baseUrl: suite.server.baseUrl,
      ...(await suite.server.signIn(VIEWER, PASSWORD)),
    });
    try {
      const page = await newPage(viewer);
      await page.goto(`${suite.server.baseUrl}/jobs`);
      await card(page).waitFor();
      expect(
        await card(page)
          .getByRole('button', { name: /^Run .* now$/ })
          .count(),
      ).toBe(0);
      expect(
        await card(page)
          .getByRole('button', { name: /^Cancel/ })
          .count(),
      ).toBe(0);
      expect(await page.locator('.jobs-note').textContent()).toMatch(/editors and admins can start/);
    } finally {
      await viewer.close();
    }
  });

  it('a run started from the keyboard shows progress, a badge on the open dashboard, then the new counts there without a reload', async () => {
    const dashboard = await newPage();
    await dashboard.goto(`${suite.server.baseUrl}/d/overview`);
    await dashboard.locator('[data-widget-id="studies"][data-state="ready"]').waitFor();
    const before = await kpi(dashboard);
    expect(before).toBe('30,000');
    // Marks this document: a reload or navigation would lose it.
    await dashboard.evaluate(() => {
      (window as unknown as { __marker: number }).__marker = 42;
    });

    // Page 4 answers slowly (well within the pipeline's timeout), so the run is seen mid-way.
    suite.replay.inject({ kind: 'slow', page: 4, delayMs: 6_000 });
    const jobs = await newPage();
    await jobs.goto(`${suite.server.baseUrl}/jobs`);
    await runButton(jobs).focus();
    await jobs.keyboard.press('Enter');
    const progress = card(jobs).getByTestId('run-progress');
    await progress.waitFor();
    await jobs.waitForFunction(() => {
      const bar = document.querySelector('[data-pipeline-id="ctgov"] [role="progressbar"]');
      return Number(bar?.getAttribute('aria-valuenow') ?? 0) > 0;
    });
    expect(await progress.getAttribute('data-status')).toBe('running');
    expect(await progress.textContent()).toMatch(/of \d[\d,]* \w+/);
    expect(
      await card(jobs)
        .getByRole('button', { name: `Cancel the running run of ${PIPELINE}` })
        .count(),
    ).toBe(1);
    await shot(jobs, 'jobs-running');

    // The open dashboard says its data is being refreshed while the run goes on.
    const badge = dashboard.getByTestId('refreshing-badge');
    await badge.waitFor();
    expect(await badge.textContent()).toContain('Refreshing data…');
    await dashboard.screenshot({ path: path.join(resultsDir, 'jobs-dashboard-refreshing.png') });

    // The live log: read once from the start, then its last lines arrive over the run events.
    const logRequests: string[] = [];
    jobs.on('request', (r) => {
      if (/\/api\/v1\/runs\/[^/]+\/logs/.test(r.url())) logRequests.push(r.url());
    });
    await card(jobs)
      .getByRole('button', { name: `Live log of the current ${PIPELINE} run` })
      .click();
    const log = jobs.locator('dialog[open].log-dialog');
    await log.locator('.log-line').first().waitFor();
    const fetched = logRequests.length;
    expect(fetched).toBeGreaterThan(0);
    await log.locator('.log-line', { hasText: /^.*done: \d+ pages/ }).waitFor({ timeout: 60_000 });
    expect(logRequests.length).toBe(fetched);
    await jobs.keyboard.press('Escape');
    await log.waitFor({ state: 'detached' });

    // The run ends: a toast on the dashboard, the badge goes, the studies KPI moves by itself.
    const toast = dashboard.getByTestId('toast');
    await toast.waitFor({ timeout: 60_000 });
    expect(await toast.getAttribute('data-kind')).toBe('success');
    expect(await toast.textContent()).toMatch(new RegExp(`${PIPELINE} finished.*rows written`));
    await badge.waitFor({ state: 'detached' });
    const after = (await pipeline()).lastRun;
    expect(after?.status).toBe('succeeded');
    expect(after?.rowsWritten).toBeGreaterThan(0);
    const served = (await (
      await suite.server.fetch('/api/v1/dashboards/overview/widgets/studies/data', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: suite.server.baseUrl },
        body: JSON.stringify({ filters: {} }),
      })
    ).json()) as { rows: [[number]] };
    const count = served.rows[0][0];
    // The replay serves the first 2,000 studies of the example's generator: 3 in 5 are already
    // Atlas's, the other 800 Beacon's until the pipeline (Atlas's) writes them as its own.
    expect(count).toBe(30_000 + (STUDIES * 2) / 5);
    await expect.poll(() => kpi(dashboard), { timeout: 30_000 }).toBe(count.toLocaleString('en-US'));
    expect(await dashboard.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
    expect(new URL(dashboard.url()).pathname).toBe('/d/overview');
    await waitForDashboard(dashboard);
    await dashboard.screenshot({ path: path.join(resultsDir, 'jobs-dashboard-after-run.png') });

    // The Jobs page moved on too: last run succeeded, in the history.
    await card(jobs).getByTestId('run-progress').waitFor({ state: 'detached' });
    expect(await card(jobs).getByTestId('last-run').textContent()).toMatch(/succeeded/i);
    await card(jobs).locator(`tr[data-run-id="${after?.id}"][data-status="succeeded"]`).waitFor();
    await jobs.close();
    await dashboard.close();
  });

  it('Run now while a run is going offers to queue behind it; Cancel stops the running one, the queued one follows', async () => {
    // The next request hangs a while (within the pipeline's timeout), so the run is still going when we act.
    suite.replay.inject({ kind: 'slow', delayMs: 15_000 });
    const started = await suite.server.fetch('/api/v1/pipelines/ctgov/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: suite.server.baseUrl },
      body: '{}',
    });
    expect(started.status).toBe(202);
    const first = (await started.json()) as RunSummary;

    const jobs = await newPage();
    await jobs.goto(`${suite.server.baseUrl}/jobs`);
    await card(jobs).getByTestId('run-progress').waitFor();
    await runButton(jobs).click();
    const dialog = jobs.locator('dialog[open]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`${PIPELINE} is already running`);
    await dialog.getByRole('button', { name: 'Queue a run' }).click();
    await dialog.waitFor({ state: 'detached' });
    const queuedRow = card(jobs).locator('tr[data-status="queued"]');
    await queuedRow.waitFor();
    const queuedId = await queuedRow.getAttribute('data-run-id');
    expect(queuedId).not.toBe(first.id);

    const cancel = card(jobs).getByRole('button', { name: `Cancel the running run of ${PIPELINE}` });
    await cancel.click();
    // Cancelling until the worker stops it (its next check), never a second click.
    const status = async () =>
      ((await (await suite.server.fetch(`/api/v1/runs/${first.id}`)).json()) as RunSummary).status;
    await expect.poll(status, { timeout: 30_000 }).toBe('cancelled');
    await card(jobs).locator(`tr[data-run-id="${first.id}"][data-status="cancelled"]`).waitFor();
    const toast = jobs.locator('[data-testid="toast"][data-kind="info"]');
    await toast.waitFor();
    expect(await toast.textContent()).toContain(`${PIPELINE} cancelled`);

    // The queued run starts after it, never beside it; it runs to its end.
    const last = await settled();
    expect(last.lastRun?.id).toBe(queuedId);
    expect(last.lastRun?.status).toBe('succeeded');
    await jobs.close();
  });

  it('a failed run shows its message on the page, in a toast and in its log; Escape closes the log', async () => {
    // Malformed pages past the (shortened) retry budget fail the run.
    suite.replay.inject({ kind: 'malformed', times: 20 });
    const jobs = await newPage();
    await jobs.goto(`${suite.server.baseUrl}/jobs`);
    await runButton(jobs).click();
    const toast = jobs.locator('[data-testid="toast"][data-kind="error"]');
    await toast.waitFor({ timeout: 60_000 });
    const failed = (await settled()).lastRun;
    expect(failed?.status).toBe('failed');
    expect(failed?.error?.message).toBeTruthy();
    expect(await toast.textContent()).toContain(`${PIPELINE} failed`);
    expect(await toast.textContent()).toContain(failed?.error?.message ?? '?');
    const error = card(jobs).getByTestId('last-run-error');
    await error.waitFor();
    expect(await error.textContent()).toContain(failed?.error?.message ?? '?');
    // Dismissed, so the screenshot shows the page itself.
    await toast.getByRole('button', { name: /^Dismiss/ }).click();
    await shot(jobs, 'jobs-failed');

    const logButton = card(jobs)
      .locator(`tr[data-run-id="${failed?.id}"]`)
      .getByRole('button', { name: /^Log/ });
    await logButton.click();
    const dialog = jobs.locator('dialog[open].log-dialog');
    await dialog.waitFor();
    await dialog.locator('.log-line').first().waitFor();
    expect(await dialog.locator('.log-error').count()).toBeGreaterThan(0);
    expect(await dialog.textContent()).toContain(failed?.error?.message ?? '?');
    await shot(jobs, 'jobs-log');
    await jobs.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Focus goes back to the button that opened it.
    expect(await logButton.evaluate((b) => b === document.activeElement)).toBe(true);
    await jobs.close();
  });

  it('raised no page errors or console errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(!available)('the Jobs page of a project without pipelines', () => {
  const suite = useBrowserSuite('jobs without pipelines', 'vm-inventory', { jobs: true });

  it('shows the empty state and opens no run event stream', async () => {
    const page = await suite.browser.context.newPage();
    const streams: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/runs/events')) streams.push(r.url());
    });
    await page.goto(`${suite.server.baseUrl}/jobs`);
    const empty = page.locator('.empty-state');
    await empty.waitFor();
    expect(await empty.locator('h2').textContent()).toBe('No pipelines');
    expect(await page.locator('[data-pipeline-id]').count()).toBe(0);
    await page.screenshot({ path: path.join(resultsDir, 'jobs-empty-light.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(resultsDir, 'jobs-empty-dark.png'), fullPage: true });
    expect(streams).toEqual([]);
    await page.close();
  });
});
