import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initCommand } from '../server/cli/init.command.js';
import { clinicalTrialsDb, requireExampleData } from '../test/paths.js';
import { waitForDashboard } from './dashboard-page.js';
import { chromiumAvailable, ensureWebBuild, launchBrowser, repoRoot, resultsDir } from './e2e-harness.js';

/**
 * `trellis dev` as an author uses it: the CLI in its own process on a project made by `trellis init`
 * (outside the checkout), a dashboard open in Chromium, and the YAML edited on disk. The page follows
 * each saved change without a reload; a broken edit shows its file:line over the page, and fixing it
 * recovers. How long each change took to show is printed (a figure, not a pass/fail threshold).
 */
const available = chromiumAvailable();
const work = mkdtempSync(path.join(tmpdir(), 'trellis-dev-e2e-'));
let dev: ChildProcess | undefined;
afterAll(() => {
  dev?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

/** Polls the page until `predicate` holds (generous: this machine is shared); returns the ms it took. */
async function shows(page: Page, since: number, predicate: () => Promise<boolean>): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('the page did not show the change within 60 s');
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - since;
}

/** Starts `trellis dev DIR` (bin/trellis.js, as installed) and waits for its sign-in link. */
async function startDev(dir: string): Promise<{ link: string; output: () => string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'trellis.js'), 'dev', dir], {
    cwd: work,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev = child;
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const link = /http:\/\/127\.0\.0\.1:\d+\/login\/link\?token=\S+/.exec(out)?.[0];
    if (link) return { link, output: () => out };
    if (child.exitCode !== null) throw new Error(`trellis dev exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`trellis dev printed no sign-in link:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function edit(file: string, from: string, to: string): number {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no "${from}"`);
  const at = Date.now();
  writeFileSync(file, text.replace(from, to));
  return at;
}

describe.skipIf(!available)('trellis dev in Chromium', () => {
  it('follows saved YAML edits, shows a broken edit as file:line over the page, and recovers', async () => {
    requireExampleData();
    ensureWebBuild();
    mkdirSync(resultsDir, { recursive: true });
    const db = path.join(work, 'trials.duckdb');
    copyFileSync(clinicalTrialsDb, db);
    const dir = path.join(work, 'my-trials');
    const silent = new PassThrough();
    const code = await initCommand(
      [dir, '--from', db, '--tables', 'studies', '--tenant-column', 'org', '--yes'],
      { stdin: new PassThrough(), stdout: silent, stderr: silent },
    );
    expect(code).toBe(0);
    const dashboard = path.join(dir, 'dashboards', 'studies.yaml');
    const dataset = path.join(dir, 'datasets', 'studies.yaml');

    const { link, output } = await startDev(dir);
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(link);
      await page.goto(new URL('/d/studies', link).href);
      await waitForDashboard(page);
      const title = page.locator('[data-widget-id="rows"] .widget-title');
      const enrollment = page.locator('[data-widget-id="total_enrollment"] .kpi-value');
      expect(await title.textContent()).toBe('Rows');
      const sum = await enrollment.textContent();
      // Nothing shows the page was reloaded by the browser: this marker lives only in this document.
      await page.evaluate(() => ((window as unknown as { devMarker: number }).devMarker = 42));
      const marker = () => page.evaluate(() => (window as unknown as { devMarker?: number }).devMarker);

      // 1. A widget's title.
      let at = edit(dashboard, 'title: Rows,', 'title: "Studies counted",');
      const titleMs = await shows(page, at, async () => (await title.textContent()) === 'Studies counted');
      // 2. A measure: the sum of enrollment becomes its largest value.
      at = edit(dataset, 'total_enrollment: { agg: sum,', 'total_enrollment: { agg: max,');
      const measureMs = await shows(page, at, async () => {
        const now = await enrollment.textContent();
        return now !== null && now !== sum && now !== '';
      });
      expect(Number((await enrollment.textContent())?.replace(/[^0-9.]/g, ''))).toBeGreaterThan(0);
      expect(await marker()).toBe(42);

      // 3. A broken edit: an unknown measure. The page keeps the last good dashboard and says where.
      at = edit(dashboard, 'measure: total_enrollment,', 'measure: total_enrolment,');
      const overlay = page.getByTestId('dev-problems');
      const problemMs = await shows(page, at, () => overlay.isVisible());
      const text = (await overlay.textContent()) ?? '';
      expect(text).toMatch(/dashboards\/studies\.yaml:\d+/);
      expect(text).toContain('total_enrolment');
      expect(text).toContain('did you mean "total_enrollment"');
      expect(await title.textContent()).toBe('Studies counted');
      await page.screenshot({ path: path.join(resultsDir, 'dev-reload-problem.png') });

      // 4. Fixed: the overlay goes, and the page follows the new version again.
      at = edit(dashboard, 'measure: total_enrolment,', 'measure: total_enrollment,');
      const fixMs = await shows(page, at, async () => !(await overlay.isVisible()));
      at = edit(dashboard, 'title: "Studies counted",', 'title: "All studies",');
      const afterFixMs = await shows(page, at, async () => (await title.textContent()) === 'All studies');
      expect(await marker()).toBe(42);
      await waitForDashboard(page);
      await page.screenshot({ path: path.join(resultsDir, 'dev-reload-recovered.png') });
      expect(pageErrors).toEqual([]);
      expect(output()).toContain('1 problem found.');
      console.log(
        `trellis dev, save → page (ms): title ${titleMs}, measure ${measureMs}, problem shown ${problemMs}, ` +
          `problem gone ${fixMs}, next edit ${afterFixMs}`,
      );
    } finally {
      await browser.close();
    }
  }, 300_000);
});
