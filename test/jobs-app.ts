import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { StoreQueue } from '../server/jobs/store-queue.js';
import { openStore, type Store } from '../server/store/store.js';
import { loginAs, startApp, type SignedIn, type TestApp } from './app-harness.js';
import { tablePipelines, type TablePipelines, type TablePipelineSpec } from './fixtures/test-pipelines.mjs';
import { createMiniProject } from './mini-project.js';

/** What a jobs API test file shares: the app with a running worker, its pipelines, and who signs in. */
export interface JobsApp {
  readonly app: TestApp;
  readonly store: Store;
  readonly pipelines: TablePipelines;
  /** Members of organisation acme, one per role, and an admin of another organisation (globex). */
  readonly viewer: SignedIn;
  readonly editor: SignedIn;
  readonly admin: SignedIn;
  readonly outsider: SignedIn;
}

/**
 * The one set-up of the jobs API tests: the app through inject() on real pipelines (pages of rows
 * into an SQLite warehouse, test/fixtures/test-pipelines.mjs), a real worker on the app's store
 * queue with short polls, and acme's viewer, editor and admin plus globex's admin signed in; all of
 * it closed after the file's tests. The returned object's fields are there once beforeAll has run.
 */
export function useJobsApp(specs: readonly TablePipelineSpec[]): JobsApp {
  const state: Partial<JobsApp> = {};
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const mini = await createMiniProject();
    const store = await openStore({ kind: 'memory' });
    const pipelines = tablePipelines({
      dbFile: path.join(mkdtempSync(path.join(tmpdir(), 'trellis-warehouse-')), 'warehouse.sqlite'),
      pipelines: [...specs],
    });
    const started = await startApp(
      mini.dir,
      {},
      {
        store,
        pipelines,
        queue: new StoreQueue(store, { pollMs: 20, leaseMs: 5_000 }),
        jobTimings: { cancelPollMs: 100, eventsPollMs: 50 },
      },
    );
    close = started.close;
    const app = started.app;
    app.services.jobs.startWorker();
    Object.assign(state, {
      app,
      store,
      pipelines,
      viewer: await loginAs(app, { org: 'acme', role: 'viewer' }),
      editor: await loginAs(app, { org: 'acme', role: 'editor' }),
      admin: await loginAs(app, { org: 'acme', role: 'admin' }),
      outsider: await loginAs(app, { org: 'globex', role: 'admin' }),
    });
  });
  afterAll(async () => {
    await close?.();
    await state.store?.close();
    state.pipelines?.close();
  });
  const field = <K extends keyof JobsApp>(key: K): JobsApp[K] => {
    const value = state[key];
    if (value === undefined) throw new Error(`jobs app: no ${key} (beforeAll has not run or failed)`);
    return value as JobsApp[K];
  };
  return {
    get app() {
      return field('app');
    },
    get store() {
      return field('store');
    },
    get pipelines() {
      return field('pipelines');
    },
    get viewer() {
      return field('viewer');
    },
    get editor() {
      return field('editor');
    },
    get admin() {
      return field('admin');
    },
    get outsider() {
      return field('outsider');
    },
  };
}
