import { describe, expect, test } from 'vitest';
import type { RunSummary } from '../../../contract/jobs.schema.js';
import { useJobsApp } from '../../../test/jobs-app.js';
import type { SignedIn } from '../../../test/app-harness.js';
import { until } from '../../../test/until.js';
import { ERROR_CATALOGUE, TrellisError } from '../../errors.js';
import { MAX_LOG_LINES } from '../../jobs/run-journal.js';

/**
 * The 'slow' pipeline's daily schedule: twelve hours away from now, so its tick is never due (nor
 * missed within the hour, which the scheduler runs late) while these tests start it by hand.
 */
const SLOW_HOUR = String((new Date().getUTCHours() + 12) % 24).padStart(2, '0');
const SLOW_SCHEDULE = `0 ${Number(SLOW_HOUR)} * * *`;

/**
 * The jobs API through inject(), on real pipelines (test/fixtures/test-pipelines.mjs: pages of rows
 * into an SQLite warehouse) and a real worker on the app's store queue.
 */
const suite = useJobsApp([
  {
    id: 'quick',
    organisation: 'acme',
    pages: 5,
    rowsPerPage: 20,
    datasets: ['items'],
    logEveryPage: true,
  },
  { id: 'slow', organisation: 'acme', pages: 400, pageDelayMs: 25, schedule: SLOW_SCHEDULE },
  { id: 'chatty', organisation: 'acme', pages: 1, logLines: MAX_LOG_LINES + 500, burstProgress: 300 },
  {
    id: 'broken',
    organisation: 'acme',
    pages: 3,
    failAtPage: 2,
    failWith: () => new TrellisError('PIPELINE_FAILED', { message: 'Page 2 was not JSON.' }),
  },
  { id: 'crashing', organisation: 'acme', pages: 3, failAtPage: 1 },
  { id: 'theirs', organisation: 'globex', pages: 1 },
]);

const start = (who: SignedIn, pipeline: string, body: object = {}) =>
  who.inject({ method: 'POST', url: `/api/v1/pipelines/${pipeline}/runs`, payload: body });
const getRun = async (who: SignedIn, id: string) =>
  (await who.inject(`/api/v1/runs/${id}`)).json() as RunSummary;
const finished = (who: SignedIn, id: string, timeoutMs = 20_000) =>
  until(
    async () => {
      const run = await getRun(who, id);
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    timeoutMs,
    `run ${id} to finish`,
  );

describe('pipelines and runs', () => {
  test('members see their organisation’s pipelines only, with schedule and next run', async () => {
    const r = await suite.viewer.inject('/api/v1/pipelines');
    expect(r.statusCode).toBe(200);
    const list = r.json().pipelines as { id: string; schedule: string | null; nextRunAt: string | null }[];
    expect(list.map((p) => p.id)).toEqual(['quick', 'slow', 'chatty', 'broken', 'crashing']);
    const slow = list.find((p) => p.id === 'slow');
    expect(slow?.schedule).toBe(SLOW_SCHEDULE);
    expect(slow?.nextRunAt).toMatch(new RegExp(`T${SLOW_HOUR}:00:00\\.000Z$`));
    const theirs = (await suite.outsider.inject('/api/v1/pipelines')).json().pipelines as { id: string }[];
    expect(theirs.map((p) => p.id)).toEqual(['theirs']);
  });

  test('an editor starts a run: 202 queued, then it runs to success with rows, progress, duration and log', async () => {
    const r = await start(suite.editor, 'quick');
    expect(r.statusCode).toBe(202);
    const queued = r.json() as RunSummary;
    expect(queued).toMatchObject({ pipelineId: 'quick', trigger: 'manual', requestedBy: suite.editor.email });
    expect(['queued', 'running', 'succeeded']).toContain(queued.status);
    const done = await finished(suite.viewer, queued.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      rowsWritten: 100,
      error: null,
      cancelRequested: false,
    });
    expect(done.progress).toMatchObject({ done: 5, total: 5, unit: 'pages', message: 'page 5' });
    // The duration is the run's own span: from its start to its end as the summary reports them.
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(done.durationMs).toBe(Date.parse(done.finishedAt ?? '') - Date.parse(done.startedAt ?? ''));
    expect(Date.parse(done.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(queued.queuedAt));
    expect(suite.pipelines.rowCount('quick')).toBe(100);
    const logs = (await suite.viewer.inject(`/api/v1/runs/${queued.id}/logs`)).json();
    const messages = (logs.lines as { message: string }[]).map((l) => l.message);
    expect(messages[0]).toBe('Started.');
    expect(messages).toContain('page 3 written');
    expect(messages.at(-1)).toBe('Succeeded: 100 rows written.');
    expect((logs.lines as { seq: number }[]).map((l) => l.seq)).toEqual(messages.map((_, i) => i + 1));
    const history = (await suite.viewer.inject('/api/v1/pipelines/quick/runs')).json();
    expect(history.runs[0].id).toBe(queued.id);
    const summary = (await suite.viewer.inject('/api/v1/pipelines')).json().pipelines[0];
    expect(summary).toMatchObject({
      id: 'quick',
      activeRun: null,
      lastRun: { id: queued.id, status: 'succeeded' },
    });
  });

  test('viewers may read but not run or cancel (403)', async () => {
    expect((await start(suite.viewer, 'quick')).statusCode).toBe(403);
    const run = (await start(suite.admin, 'quick')).json() as RunSummary;
    const cancel = await suite.viewer.inject({ method: 'POST', url: `/api/v1/runs/${run.id}/cancel` });
    expect(cancel.statusCode).toBe(403);
    expect((await suite.viewer.inject(`/api/v1/runs/${run.id}`)).statusCode).toBe(200);
    await finished(suite.viewer, run.id);
  });

  test('another organisation’s pipelines and runs are not found', async () => {
    const run = (await start(suite.editor, 'quick')).json() as RunSummary;
    const notFound = async (
      r: Promise<{ statusCode: number; json: () => { error: string } }>,
      code: string,
    ) => {
      const res = await r;
      expect({ status: res.statusCode, error: res.json().error }).toEqual({ status: 404, error: code });
    };
    await notFound(start(suite.outsider, 'quick'), 'PIPELINE_NOT_FOUND');
    await notFound(suite.outsider.inject('/api/v1/pipelines/quick/runs'), 'PIPELINE_NOT_FOUND');
    await notFound(suite.outsider.inject(`/api/v1/runs/${run.id}`), 'RUN_NOT_FOUND');
    await notFound(suite.outsider.inject(`/api/v1/runs/${run.id}/logs`), 'RUN_NOT_FOUND');
    await notFound(
      suite.outsider.inject({ method: 'POST', url: `/api/v1/runs/${run.id}/cancel` }),
      'RUN_NOT_FOUND',
    );
    await notFound(start(suite.editor, 'theirs'), 'PIPELINE_NOT_FOUND');
    await notFound(start(suite.editor, 'nope'), 'PIPELINE_NOT_FOUND');
    await finished(suite.editor, run.id);
  });

  test('simultaneous starts of one pipeline: one run, the others 409 PIPELINE_ALREADY_RUNNING', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => start(suite.editor, 'slow')));
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([202, 409, 409, 409, 409, 409]);
    const refused = answers.find((r) => r.statusCode === 409);
    expect(refused?.json().error).toBe('PIPELINE_ALREADY_RUNNING');
    const run = answers.find((r) => r.statusCode === 202)?.json() as RunSummary;
    // queueIfRunning: queued behind it, never in parallel.
    const behind = await start(suite.editor, 'slow', { queueIfRunning: true });
    expect(behind.statusCode).toBe(202);
    expect(behind.json().status).toBe('queued');
    await suite.app.inject({
      method: 'POST',
      url: `/api/v1/runs/${run.id}/cancel`,
      headers: { cookie: suite.editor.cookie, 'x-csrf-token': suite.editor.csrf },
    });
    const first = await finished(suite.editor, run.id);
    expect(first.status).toBe('cancelled');
    await until(
      async () => (await getRun(suite.editor, behind.json().id)).status === 'running',
      10_000,
      'the queued run',
    );
    await suite.editor.inject({ method: 'POST', url: `/api/v1/runs/${behind.json().id}/cancel` });
    await finished(suite.editor, behind.json().id);
    expect(suite.pipelines.stats.get('slow')?.maxRunning).toBe(1);
  });

  test('cancel takes effect within a second: the run ends cancelled between pages', async () => {
    const run = (await start(suite.editor, 'slow')).json() as RunSummary;
    await until(async () => (await getRun(suite.editor, run.id)).progress.done >= 2, 10_000, 'progress');
    const asked = Date.now();
    const r = await suite.editor.inject({ method: 'POST', url: `/api/v1/runs/${run.id}/cancel` });
    expect(r.statusCode).toBe(202);
    expect(r.json().cancelRequested).toBe(true);
    const done = await finished(suite.editor, run.id, 5_000);
    expect(done.status).toBe('cancelled');
    expect(Date.parse(done.finishedAt ?? '') - asked).toBeLessThan(1_000);
    expect(done.progress.done).toBeLessThan(400);
    // Cancelling a finished run changes nothing.
    const again = await suite.editor.inject({ method: 'POST', url: `/api/v1/runs/${run.id}/cancel` });
    expect(again.json().status).toBe('cancelled');
  });

  test('a queued run behind another is cancelled at once', async () => {
    const head = (await start(suite.editor, 'slow')).json() as RunSummary;
    const behind = (await start(suite.editor, 'slow', { queueIfRunning: true })).json() as RunSummary;
    const r = await suite.editor.inject({ method: 'POST', url: `/api/v1/runs/${behind.id}/cancel` });
    expect(r.json()).toMatchObject({ status: 'cancelled', cancelRequested: false });
    await suite.editor.inject({ method: 'POST', url: `/api/v1/runs/${head.id}/cancel` });
    await finished(suite.editor, head.id);
  });

  test('a failing pipeline ends the run failed with its own safe message, or PIPELINE_FAILED', async () => {
    const broken = await finished(
      suite.editor,
      ((await start(suite.editor, 'broken')).json() as RunSummary).id,
    );
    expect(broken).toMatchObject({
      status: 'failed',
      error: { code: 'PIPELINE_FAILED', message: 'Page 2 was not JSON.' },
    });
    const crashing = await finished(
      suite.editor,
      ((await start(suite.editor, 'crashing')).json() as RunSummary).id,
    );
    expect(crashing.error).toEqual({
      code: 'PIPELINE_FAILED',
      message: ERROR_CATALOGUE.PIPELINE_FAILED.message,
    });
    // The internal message stays out of the members' log.
    const log = (await suite.editor.inject(`/api/v1/runs/${crashing.id}/logs`)).json();
    expect(JSON.stringify(log)).not.toContain('warehouse exploded');
  });

  test('logs are bounded (2,000 lines, then one "log truncated" line) and paged; progress is throttled', async () => {
    const run = await finished(suite.editor, ((await start(suite.editor, 'chatty')).json() as RunSummary).id);
    expect(run.status).toBe('succeeded');
    const lines: { seq: number; message: string }[] = [];
    let after = 0;
    for (let page = 0; page < 10; page++) {
      const r = (await suite.editor.inject(`/api/v1/runs/${run.id}/logs?after=${after}&limit=1000`)).json();
      lines.push(...r.lines);
      if (r.nextAfter === null) break;
      after = r.nextAfter;
    }
    expect(lines).toHaveLength(MAX_LOG_LINES + 1);
    expect(lines.at(-1)?.message).toMatch(/^log truncated/);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    // 300 progress reports in one burst are stored at most a few times (≤ 2 per second).
    const row = await suite.store.db
      .selectFrom('pipeline_runs')
      .select('version')
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    expect(row.version).toBeLessThan(10);
  });

  test('pipeline.run and run.cancel are audited in the caller’s organisation', async () => {
    const run = (await start(suite.admin, 'slow')).json() as RunSummary;
    await suite.admin.inject({ method: 'POST', url: `/api/v1/runs/${run.id}/cancel` });
    await finished(suite.admin, run.id);
    const audit = (await suite.admin.inject('/api/v1/audit?limit=50')).json().entries as {
      action: string;
      target: string;
    }[];
    expect(audit.find((e) => e.action === 'run.cancel')?.target).toBe(run.id);
    expect(audit.find((e) => e.action === 'pipeline.run')?.target).toBe('slow');
  });

  test('validation: unknown body keys, bad cursors and limits are 400', async () => {
    expect((await start(suite.editor, 'quick', { queueIfRunning: true, extra: 1 })).statusCode).toBe(400);
    expect((await suite.editor.inject('/api/v1/pipelines/quick/runs?cursor=zzz')).statusCode).toBe(400);
    expect((await suite.editor.inject('/api/v1/pipelines/quick/runs?limit=1000')).statusCode).toBe(400);
  });
});
