/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PipelineList, RunList } from '../contract/index.js';
import { useBrowserSuite } from './browser-suite.js';
import { chromiumAvailable, screenshotBothSchemes } from './e2e-harness.js';

/**
 * "Run with inputs…" on the Jobs page, in Chromium against the real server, worker and pipeline
 * runner: a copy of the clinical-trials example whose ctgov pipeline declares inputs (one of them
 * sent as a request header, `${input.note}`) and reads the local replay server. Invalid inputs are
 * shown in the form (the browser's own check, then the server's per-field answer); a valid run
 * starts, shows its progress and is cancelled; its inputs appear in the run history.
 */
const available = chromiumAvailable();
const PIPELINE = 'ClinicalTrials.gov studies';

function editCopy(dir: string): void {
  const file = path.join(dir, 'pipelines', 'ctgov.yaml');
  const yaml = readFileSync(file, 'utf8');
  const edited = yaml
    .replace(/^schedule: .*$/m, '')
    .replace(/pageSize: 500\b/, 'pageSize: 100')
    .replace(/^http:\n/m, "http:\n  headers: { x-run-note: '${input.note}' }\n")
    .replace(
      /^target: main$/m,
      `target: main
inputs:
  note: { type: text, required: true, max_length: 20, pattern: '[a-z ]+', hint: 'Lower-case words, sent as a header' }
  phase: { type: enum, values: [PHASE1, PHASE2, PHASE3], label: Trial phase }
  batch: { type: number, integer: true, min: 1, max: 10, default: 2, label: Batch size }
  since: { type: date, min: '2000-01-01', label: Updated since }
  ids: { type: keys, max_count: 3, label: Study ids }`,
    );
  if (!edited.includes('x-run-note') || !edited.includes('inputs:'))
    throw new Error('pipelines/ctgov.yaml changed: update the e2e copy edits');
  writeFileSync(file, edited);
}

describe.skipIf(!available)('runs with inputs in Chromium', () => {
  const suite = useBrowserSuite('run-inputs', 'clinical-trials', {
    editCopy,
    replay: { studies: 3_000 },
    jobs: true,
  });
  const { pageErrors } = suite;

  async function newPage(): Promise<Page> {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      // The server's 400 for the refused inputs is expected (shown in the form); nothing else.
      if (msg.type() === 'error' && !msg.text().includes('status of 400'))
        pageErrors.push(`${page.url()}: console: ${msg.text()}`);
    });
    return page;
  }
  const card = (page: Page) => page.locator('[data-pipeline-id="ctgov"]');
  const pipeline = async () => {
    const list = (await (await suite.server.fetch('/api/v1/pipelines')).json()) as PipelineList;
    const p = list.pipelines.find((x) => x.id === 'ctgov');
    if (!p) throw new Error('no ctgov pipeline for atlas');
    return p;
  };

  it('invalid inputs are shown in the form; a valid run starts, shows progress, is cancelled, and its inputs are in the history', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/jobs`);
    await card(page).waitFor();
    expect(
      await card(page)
        .getByRole('button', { name: `Run now: ${PIPELINE}` })
        .count(),
    ).toBe(0);
    const open = card(page).getByRole('button', { name: `Run with inputs: ${PIPELINE}` });
    // From the keyboard: focus the button, Enter opens the form with focus on its first field.
    await open.focus();
    await page.keyboard.press('Enter');
    const form = page.getByTestId('run-inputs-form');
    await form.waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.id ?? '')).toMatch(
      /-note$/,
    );
    await shot(page, 'run-inputs-form');

    // The form's own check (the server's validator): empty required, a number out of range, too many keys.
    await page.keyboard.type('Bad Words!');
    await page.getByLabel('Batch size').fill('11');
    await page.getByLabel('Study ids').fill('NCT1, NCT2, NCT3, NCT4');
    await page.getByRole('button', { name: 'Start run' }).click();
    await form.getByText('Note is not in the expected form').waitFor();
    expect(await form.getByText('Batch size must be at most 10').count()).toBe(1);
    expect(await form.getByText('Study ids must hold at most 3 keys').count()).toBe(1);
    expect(await page.getByLabel('Note').getAttribute('aria-invalid')).toBe('true');
    expect((await pipeline()).activeRun).toBeNull();
    await shot(page, 'run-inputs-invalid');

    // The server says the same when a request skips the form.
    const refused = await suite.server.fetch('/api/v1/pipelines/ctgov/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: { note: 'Bad Words!', batch: 11 } }),
    });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: string; issues: { path: string }[] };
    expect(body.error).toBe('PIPELINE_INPUTS_INVALID');
    expect(body.issues.map((i) => i.path)).toEqual(['note', 'batch']);

    // Mended, and a slow page so the run is seen under way.
    suite.replay.inject({ kind: 'slow', page: 3, delayMs: 8_000 });
    await page.getByLabel('Note').fill('weekly refresh');
    await page.getByLabel('Batch size').fill('3');
    await page.getByLabel('Study ids').fill('NCT1\nNCT2');
    await page.getByLabel('Trial phase').selectOption('PHASE2');
    await page.getByRole('button', { name: 'Start run' }).click();
    await form.waitFor({ state: 'detached' });
    const progress = card(page).getByTestId('run-progress');
    await progress.waitFor();
    await page.waitForFunction(() => {
      const bar = document.querySelector('[data-pipeline-id="ctgov"] [role="progressbar"]');
      return Number(bar?.getAttribute('aria-valuenow') ?? 0) > 0;
    });
    const active = (await pipeline()).activeRun;
    expect(active?.inputs).toEqual({
      note: 'weekly refresh',
      phase: 'PHASE2',
      batch: 3,
      ids: ['NCT1', 'NCT2'],
    });
    // The input went out as a header value, nothing more.
    expect(suite.replay.requestsFor(1).at(-1)?.headers['x-run-note']).toBe('weekly refresh');
    await shot(page, 'run-inputs-running');

    await card(page)
      .getByRole('button', { name: `Cancel the running run of ${PIPELINE}` })
      .click();
    await expect.poll(async () => (await pipeline()).activeRun, { timeout: 30_000 }).toBeNull();
    expect((await pipeline()).lastRun?.status).toBe('cancelled');

    // One pipeline: its history is open already.
    const toggle = card(page).getByRole('button', { name: 'Run history' });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    const cell = card(page).getByTestId('run-inputs').first();
    await cell.waitFor();
    expect(await cell.textContent()).toBe(
      'note: weekly refresh · phase: PHASE2 · batch: 3 · ids: NCT1, NCT2',
    );
    const history = (await (await suite.server.fetch('/api/v1/pipelines/ctgov/runs')).json()) as RunList;
    expect(history.runs[0]?.status).toBe('cancelled');
    await shot(page, 'run-inputs-history');
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

const shot = screenshotBothSchemes;
