import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { CtgovReplayServer, type ReplayServerOptions } from '../test/ctgov-replay-server.js';
import { checks } from './dashboard-page.js';
import {
  ensureWebBuild,
  launchBrowser,
  repoRoot,
  resultsDir,
  startServer,
  type Browser,
  type RunningServer,
  type StartServerOptions,
} from './e2e-harness.js';

/** What a browser suite's tests share: the server, a browser signed in to it, and the page errors seen. */
export interface BrowserSuite {
  readonly server: RunningServer;
  readonly browser: Browser;
  /** Page errors the tests collect (`page.on('pageerror', …)`); a suite ends by checking it is empty. */
  readonly pageErrors: string[];
  /** The suite's private copy of the example (with `editCopy`), removed after the suite. */
  readonly copy: string;
  /** The local ClinicalTrials.gov replay server the pipelines read (with `replay`). */
  readonly replay: CtgovReplayServer;
}

export interface BrowserSuiteOptions extends Omit<StartServerOptions, 'projectDir'> {
  /**
   * Serve a private copy of the example, edited by this (a pipeline run rewrites the project's data
   * folder, and a test may add a widget); its ingest files are left out of the copy.
   */
  readonly editCopy?: (dir: string) => void;
  /** Start a ClinicalTrials.gov replay server and give its URL to the pipelines as CTGOV_BASE_URL. */
  readonly replay?: ReplayServerOptions;
}

/**
 * The one set-up of a describe block of browser tests: before its tests, the built app, the real server
 * on `example` (or an edited copy of it, reading a replay server) and a Chromium signed in to it; after
 * them, all of it closed and removed, and the count of browser checks printed under `label`.
 */
export function useBrowserSuite(
  label: string,
  example = 'clinical-trials',
  options: BrowserSuiteOptions = {},
): BrowserSuite {
  const { editCopy, replay: replayOptions, ...serverOptions } = options;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let copy: string | undefined;
  let replay: CtgovReplayServer | undefined;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    if (replayOptions) replay = await CtgovReplayServer.start(replayOptions);
    if (editCopy) {
      copy = mkdtempSync(path.join(tmpdir(), `trellis-${label}-e2e-`));
      cpSync(path.join(repoRoot, 'examples', example), copy, {
        recursive: true,
        filter: (src) => !/\.(ingest\.duckdb|wal|tmp)$/.test(src),
      });
      editCopy(copy);
    }
    server = await startServer(example, {
      ...serverOptions,
      ...(copy ? { projectDir: copy } : {}),
      environment: { ...serverOptions.environment, ...(replay ? { CTGOV_BASE_URL: replay.url } : {}) },
    });
    browser = await launchBrowser(server);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await replay?.close();
    if (copy) rmSync(copy, { recursive: true, force: true });
    console.log(`\n${label} browser checks run: ${checks.count}\n`);
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${label}: no ${what} (not asked for, or beforeAll failed)`);
    return value;
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    get copy() {
      return started(copy, 'project copy');
    },
    get replay() {
      return started(replay, 'replay server');
    },
    pageErrors,
  };
}
