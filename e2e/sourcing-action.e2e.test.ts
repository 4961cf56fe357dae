/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineList } from '../contract/index.js';
import { ScoringApi } from '../examples/sourcing/stand-in/scoring-api.js';
import {
  axeSerious,
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  repoRoot,
  resultsDir,
  screenshotBothSchemes,
  startServer,
  type Browser,
  type RunningServer,
} from './e2e-harness.js';

/**
 * The sourcing example's "Screen" action in Chromium against the real server, worker and enrich
 * runner, with the scoring stand-in started here as the other sourcing tests start it (in-process,
 * its URL through `SCORING_API_URL`): select the 20 candidates of the table's first page, see an
 * invalid input refused beside its field, launch, watch progress, cancel, resume — and the scores
 * appear in the dashboard's table without a reload. The copy's pipeline takes batches of 5 and
 * publishes each, and the stand-in answers slowly, so the run is seen under way.
 */
const available = chromiumAvailable();
const KEY = 'e2e-scoring-key';

function exampleCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-sourcing-e2e-'));
  cpSync(path.join(repoRoot, 'examples', 'sourcing'), dir, {
    recursive: true,
    filter: (src) => !/\.(ingest\.duckdb|wal|tmp)$/.test(src),
  });
  const file = path.join(dir, 'pipelines', 'screen.yaml');
  const edited = readFileSync(file, 'utf8')
    .replace(/^ {2}batch: 50$/m, '  batch: 5')
    .replace(/^ {2}concurrency: 4$/m, '  concurrency: 2')
    .replace(/^publish_every: .*$/m, 'publish_every: { pages: 1 }');
  if (!edited.includes('batch: 5\n') || !edited.includes('publish_every: { pages: 1 }'))
    throw new Error('pipelines/screen.yaml changed: update the e2e copy edits');
  writeFileSync(file, edited);
  return dir;
}

describe.skipIf(!available)('the sourcing Screen action in Chromium', () => {
  let api: ScoringApi;
  let server: RunningServer;
  let browser: Browser;
  let copy: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    // No random faults here (the acceptance tests have them): the test checks every selected row is scored.
    api = await ScoringApi.start({ keys: [KEY], limit: 1_000, latencyMs: 700 });
    copy = exampleCopy();
    server = await startServer('sourcing', {
      projectDir: copy,
      environment: { SCORING_API_URL: api.url, SCORING_API_KEY: KEY },
      jobs: true,
    });
    browser = await launchBrowser(server);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await api?.close();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${page.url()}: console: ${msg.text()}`);
    });
    return page;
  }
  const screen = async () => {
    const list = (await (await server.fetch('/api/v1/pipelines')).json()) as PipelineList;
    const p = list.pipelines.find((x) => x.id === 'screen');
    if (!p) throw new Error('no screen pipeline for sourcex');
    return p;
  };

  it('select 20 candidates, Screen, watch progress, cancel, resume: the scores appear without a reload', async () => {
    const page = await newPage();
    await page.goto(`${server.baseUrl}/d/screening`);
    const table = page.locator('[data-widget-id="candidates"]');
    const action = page.locator('[data-widget-id="screen_selected"]');
    await page.waitForSelector('[data-widget-id="candidates"][data-state="ready"] tbody tr');
    // A marker in the page: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'same page'));
    expect(await action.getByTestId('action-keys').textContent()).toBe(
      'Select rows in “Candidates” to run this on them.',
    );

    // Screen with nothing selected: asked to select first, nothing sent.
    await action.getByRole('button', { name: 'Screen' }).click();
    await action.getByText('Select at least one row in “Candidates” first.').waitFor();

    // From the keyboard: the page's select-all checkbox, Space.
    const all = table.getByRole('checkbox', { name: 'Select every row on this page' });
    await all.focus();
    await page.keyboard.press('Space');
    await table.getByTestId('selection-count').filter({ hasText: '20 selected' }).waitFor();
    expect(await table.locator('tbody input[type="checkbox"]:checked').count()).toBe(20);
    const selected = await table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.querySelectorAll('td')[1]?.textContent ?? ''));
    expect(selected).toHaveLength(20);
    expect(await action.getByTestId('action-keys').textContent()).toBe('20 rows from “Candidates”');
    // One row off and on again with its own checkbox.
    const first = table.getByRole('checkbox', { name: `Select ${selected[0]}` });
    await first.uncheck();
    await table.getByTestId('selection-count').filter({ hasText: '19 selected' }).waitFor();
    await first.check();
    await table.getByTestId('selection-count').filter({ hasText: '20 selected' }).waitFor();
    await shot(page, 'sourcing-action-selected');

    // An invalid input is shown beside its field; no run is made.
    await action.getByLabel('Note').fill('<b>urgent</b>');
    await action.getByRole('button', { name: 'Screen' }).click();
    await action.getByText('Note is not in the expected form').waitFor();
    expect(await action.getByLabel('Note').getAttribute('aria-invalid')).toBe('true');
    expect((await screen()).activeRun).toBeNull();
    await shot(page, 'sourcing-action-invalid');

    // Mended: the run starts with exactly the selected keys, and its progress moves.
    await action.getByLabel('Note').fill('e2e batch');
    await action.getByRole('button', { name: 'Screen' }).click();
    const progress = action.getByTestId('run-progress');
    await progress.waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const bar = document.querySelector('[data-widget-id="screen_selected"] [role="progressbar"]');
        return Number(bar?.getAttribute('aria-valuenow') ?? 0) > 0;
      },
      undefined,
      { timeout: 60_000 },
    );
    const running = (await screen()).activeRun;
    // The keys in the order they were picked (the first one unticked and ticked again comes last).
    expect(running?.inputs).toEqual({ candidates: [...selected.slice(1), selected[0]], note: 'e2e batch' });
    await shot(page, 'sourcing-action-running');

    await action.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(async () => (await screen()).lastRun?.status, { timeout: 60_000 }).toBe('cancelled');
    const resume = action.getByRole('button', { name: 'Resume' });
    await resume.waitFor({ timeout: 30_000 });
    const scoredBeforeResume = api.stats.scored;
    expect(scoredBeforeResume).toBeGreaterThan(0);
    expect(scoredBeforeResume).toBeLessThan(20);
    await shot(page, 'sourcing-action-cancelled');

    await resume.click();
    await expect
      .poll(async () => (await screen()).lastRun?.status, { timeout: 120_000, interval: 500 })
      .toBe('succeeded');

    // Without a reload, every selected row of the table shows its result (status and score).
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('[data-widget-id="candidates"] tbody tr')];
        return rows.length === 20 && rows.every((r) => r.querySelectorAll('td')[4]?.textContent === 'ok');
      },
      undefined,
      { timeout: 30_000 },
    );
    const scores = await table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.querySelectorAll('td')[5]?.textContent ?? ''));
    expect(scores.every((s) => /^\d+(\.\d+)?$/.test(s.replace(/,/g, '')))).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe(
      'same page',
    );
    // Only the selected candidates were scored, each once (the resumed run skipped the done ones).
    for (const id of selected) expect(api.timesScored(id), id).toBe(1);
    expect(api.stats.scored).toBe(20);
    await action.getByTestId('action-last').filter({ hasText: 'Last run: succeeded' }).waitFor();
    await shot(page, 'sourcing-action-done');

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axeSerious(page), scheme).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

const shot = screenshotBothSchemes;
