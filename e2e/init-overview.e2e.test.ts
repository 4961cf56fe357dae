import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { initCommand } from '../server/cli/init.command.js';
import { loadVerifiedProject } from '../server/cli/load-verified-project.js';
import { closeEngines } from '../server/query/engines/index.js';
import { clinicalTrialsDb, requireExampleData } from '../test/paths.js';
import { waitForDashboard } from './dashboard-page.js';
import { chromiumAvailable, ensureWebBuild, launchBrowser, resultsDir, startServer } from './e2e-harness.js';

/**
 * `trellis init` on the clinical-trials DuckDB file (a copy, outside the checkout): the scaffolded
 * overview dashboard renders every widget with data in Chromium. The screenshot is looked at.
 */
const available = chromiumAvailable();
const work = mkdtempSync(path.join(tmpdir(), 'trellis-init-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!available)('a project made by trellis init, in Chromium', () => {
  it('the overview dashboard of the studies table shows KPIs, a time series, top-N bars and a table', async () => {
    requireExampleData();
    ensureWebBuild();
    mkdirSync(resultsDir, { recursive: true });
    const copy = path.join(work, 'trials.duckdb');
    copyFileSync(clinicalTrialsDb, copy);
    const dir = path.join(work, 'my-trials');
    const out = new PassThrough();
    const err: string[] = [];
    const errors = new PassThrough();
    errors.on('data', (c: Buffer) => err.push(c.toString()));
    const code = await initCommand(
      [dir, '--from', copy, '--tables', 'studies', '--tenant-column', 'org', '--yes'],
      { stdin: new PassThrough(), stdout: out, stderr: errors },
    );
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    // It checks, as `trellis check` does (files against the source), before it is served.
    const checked = await loadVerifiedProject(dir, {});
    expect(checked.ok ? [] : checked.problems).toEqual([]);
    if (checked.ok) await closeEngines(checked.engines);
    // Signed in to atlas, the first organisation of the tenant column.
    const server = await startServer('clinical-trials', { projectDir: dir });
    const browser = await launchBrowser(server);
    try {
      const page = await browser.context.newPage();
      await page.goto(`${server.baseUrl}/d/studies`);
      const widgets = await waitForDashboard(page);
      expect(widgets.map((w) => w.id)).toEqual([
        'rows',
        'total_enrollment',
        'total_condition_count',
        'total_intervention_count',
        'over_time',
        'by_overall_status',
        'by_phase',
        'by_study_type',
        'rows_table',
      ]);
      expect(widgets.every((w) => w.state === 'ready')).toBe(true);
      await page.screenshot({
        path: path.join(resultsDir, 'init-clinical-trials-overview.png'),
        fullPage: true,
      });
      // KPIs, time series and top-N bars, as docs/getting-started.md shows them (docs/images/init-overview.png).
      // A taller window, and the charts drawn again at its size, before the picture.
      await page.setViewportSize({ width: 1280, height: 1640 });
      await page.waitForTimeout(500);
      await waitForDashboard(page);
      await page.screenshot({ path: path.join(resultsDir, 'init-clinical-trials-top.png') });
    } finally {
      await browser.close();
      await server.close();
    }
  }, 180_000);
});
