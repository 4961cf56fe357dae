import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunSummary } from '../../contract/jobs.schema.js';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../test/app-harness.js';
import {
  combine,
  replaceItemsPipeline,
  tablePipelines,
  type TablePipelines,
} from '../../test/fixtures/test-pipelines.mjs';
import { createMiniProject, MINI_ITEMS, type MiniProject } from '../../test/mini-project.js';
import { until } from '../../test/until.js';
import { openStore, type Store } from '../store/store.js';
import { Scheduler } from './scheduler.js';
import { StoreQueue } from './store-queue.js';
import { StartScheduledRunTask } from './tasks/start-scheduled-run.task.js';

const warehouse = () => path.join(mkdtempSync(path.join(tmpdir(), 'trellis-warehouse-')), 'warehouse.sqlite');
const finished = (who: SignedIn, id: string, timeoutMs = 20_000) =>
  until(
    async () => {
      const run = (await who.inject(`/api/v1/runs/${id}`)).json() as RunSummary;
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    timeoutMs,
    `run ${id}`,
  );
const start = async (who: SignedIn, pipeline: string) =>
  (
    await who.inject({ method: 'POST', url: `/api/v1/pipelines/${pipeline}/runs`, payload: {} })
  ).json() as RunSummary;

describe('job system in one process', () => {
  let mini: MiniProject;
  let store: Store;
  let pipelines: TablePipelines;
  let app: TestApp;
  let close: () => Promise<void>;
  let editor: SignedIn;
  let viewer: SignedIn;

  beforeAll(async () => {
    mini = await createMiniProject();
    store = await openStore({ kind: 'memory' });
    pipelines = tablePipelines({
      dbFile: warehouse(),
      pipelines: [
        { id: 'pages', organisation: 'acme', pages: 60, rowsPerPage: 7, pageDelayMs: 30, logEveryPage: true },
        { id: 'ticks', organisation: 'acme', pages: 1, schedule: '*/5 * * * *' },
      ],
    });
    const runner = combine(
      pipelines,
      replaceItemsPipeline({
        id: 'reload',
        organisation: 'acme',
        target: mini.db,
        rows: 42,
        datasets: ['items'],
      }),
    );
    ({ app, close } = await startApp(
      mini.dir,
      {},
      {
        store,
        pipelines: runner,
        queue: new StoreQueue(store, { pollMs: 20, leaseMs: 5_000 }),
        jobTimings: { cancelPollMs: 100, eventsPollMs: 50 },
      },
    ));
    app.services.jobs.startWorker();
    editor = await loginAs(app, { org: 'acme', role: 'editor' });
    viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
  });
  afterAll(async () => {
    await close?.();
    await store?.close();
    pipelines?.close();
  });

  test('a publication reopens the replaced DuckDB file and invalidates: the API answers with the new rows', async () => {
    const before = await widgetData(viewer, 'main', 'total');
    expect(before.json().rows).toEqual([[MINI_ITEMS]]);
    const run = await finished(editor, (await start(editor, 'reload')).id);
    expect(run.status).toBe('succeeded');
    const after = await widgetData(viewer, 'main', 'total');
    expect(after.json().rows).toEqual([[42]]);
    const list = await widgetData(viewer, 'main', 'list');
    expect(list.json().rows[0][1]).toBe('new 0');
  });

  test('the event stream pushes run and log events of the caller’s organisation only', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const outsider = await loginAs(app, { org: 'globex', role: 'viewer' });
    const mine = await openStream(`${base}/api/v1/runs/events`, viewer.cookie);
    const theirs = await openStream(`${base}/api/v1/runs/events`, outsider.cookie);
    try {
      expect(mine.status).toBe(200);
      await mine.read(/: listening/);
      const run = await start(editor, 'pages');
      const text = await mine.read(new RegExp(`"id":"${run.id}"[^\\n]*"status":"succeeded"`), 20_000);
      expect(text).toContain('event: run\n');
      expect(text).toMatch(/event: log\ndata: \{"runId":"[^"]+","line":\{"seq":1,/);
      expect(text).toContain('page 60 written');
      // Progress came through the stream too, throttled.
      const progressEvents = text.split('event: run\n').filter((e) => e.includes(run.id)).length;
      expect(progressEvents).toBeGreaterThan(2);
      expect(progressEvents).toBeLessThan(60);
      expect(theirs.buffer()).not.toContain(run.id);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  test('two schedulers on one store: each tick enqueues once and starts one run', async () => {
    let now = Date.UTC(2026, 0, 5, 10, 2, 0);
    const { runs, queue } = app.services.jobs;
    const schedulers = [0, 1].map(
      () =>
        new Scheduler({
          pipelines: runs.pipelines,
          queue,
          task: new StartScheduledRunTask(runs, () => undefined),
          now: () => now,
          onError: (err) => {
            throw err;
          },
        }),
    );
    const ticks = ['10:00', '10:05', '10:10'];
    // The app's own scheduler ticks on the real clock as well; these are the fake clock's ticks.
    const tickRuns = () =>
      store.db
        .selectFrom('pipeline_runs')
        .select(['idempotency_key', 'status', 'trigger'])
        .where('idempotency_key', 'like', 'schedule:ticks:2026-01-05%')
        .orderBy('queued_at')
        .execute();
    for (const [i, minute] of [2, 7, 12].entries()) {
      now = Date.UTC(2026, 0, 5, 10, minute, 30);
      await Promise.all(schedulers.map((s) => s.tick()));
      await schedulers[0]?.tick(); // again: nothing new
      await until(
        async () => {
          const r = await tickRuns();
          return r.length === i + 1 && r.every((x) => x.status === 'succeeded');
        },
        10_000,
        `the run of tick ${ticks[i]}`,
      );
    }
    const runsOfTicks = await tickRuns();
    expect(runsOfTicks.map((r) => [r.idempotency_key, r.trigger])).toEqual(
      ticks.map((t) => [`schedule:ticks:2026-01-05T${t}:00.000Z`, 'schedule']),
    );
    const keys = await store.db
      .selectFrom('jobs')
      .select('idempotency_key')
      .where('name', '=', 'start-scheduled-run')
      .where('idempotency_key', 'like', 'schedule:ticks:2026-01-05%')
      .orderBy('id')
      .execute();
    expect(keys.map((k) => k.idempotency_key)).toEqual(
      ticks.map((t) => `schedule:ticks:2026-01-05T${t}:00.000Z`),
    );
  });

  test('graceful stop: a running run stops at a checkpoint, goes back to the queue, and the next worker resumes it', async () => {
    const run = await start(editor, 'pages');
    await until(
      async () => ((await editor.inject(`/api/v1/runs/${run.id}`)).json() as RunSummary).progress.done >= 5,
    );
    // A second app on the same store (another instance) whose worker takes over.
    await close();
    const interrupted = await store.db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    expect(interrupted.status).toBe('queued');
    const job = await store.db
      .selectFrom('jobs')
      .selectAll()
      .where('idempotency_key', '=', `run:${run.id}`)
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'queued', attempts_made: 0, locked_by: null });
    const second = await startApp(
      mini.dir,
      {},
      {
        store,
        pipelines: combine(pipelines),
        queue: new StoreQueue(store, { pollMs: 20, leaseMs: 5_000 }),
      },
    );
    ({ app, close } = second);
    app.services.jobs.startWorker();
    const again = await loginAs(app, { org: 'acme', role: 'editor', email: 'editor2@acme.test' });
    const done = await finished(again, run.id);
    expect(done.status).toBe('succeeded');
    const resumedFrom = pipelines.stats.get('pages')?.resumedFrom ?? [];
    expect(resumedFrom.at(-1)).toBeGreaterThanOrEqual(5);
    expect(pipelines.rowCount('pages')).toBe(60 * 7);
    const log = (await again.inject(`/api/v1/runs/${run.id}/logs?limit=1000`)).json().lines as {
      message: string;
    }[];
    expect(log.map((l) => l.message)).toContain(
      'Interrupted by a server shutdown; it resumes from its last checkpoint.',
    );
    expect(log.some((l) => l.message.startsWith('Resumed'))).toBe(true);
  });
});

interface Stream {
  readonly status: number;
  read(until: RegExp, timeoutMs?: number): Promise<string>;
  buffer(): string;
  close(): void;
}

/** A plain node:http SSE reader (inject cannot read a stream that never ends). */
function openStream(url: string, cookie: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { cookie } }, (res) => {
      res.setEncoding('utf8');
      let all = '';
      res.on('data', (chunk: string) => (all += chunk));
      resolve({
        status: res.statusCode ?? 0,
        buffer: () => all,
        read: (pattern, timeoutMs = 10_000) =>
          until(() => (pattern.test(all) ? all : undefined), timeoutMs, `${pattern}`),
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
  });
}
