import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { PipelineList, PipelineSummary, RunList, RunSummary } from '../../../contract/index.js';
import { runFixture } from '../app/jobs/run-test-data.js';
import { applyRunEvent, jobKeys } from './jobs-queries.js';
import {
  applyRunToHistory,
  applyRunToPipelines,
  isNewer,
  parseLogEvent,
  parseRunEvent,
} from './run-events.js';

const pipeline = (patch: Partial<PipelineSummary> = {}): PipelineSummary => ({
  id: 'ctgov',
  title: 'ClinicalTrials.gov',
  type: 'http',
  schedule: '0 3 * * *',
  nextRunAt: '2026-01-06T03:00:00Z',
  datasets: ['studies'],
  inputs: [],
  lastRun: null,
  activeRun: null,
  ...patch,
});
const list = (...pipelines: PipelineSummary[]): PipelineList => ({ pipelines });
const progress = (done: number) => ({ ...runFixture().progress, done });

describe('run events on the wire', () => {
  it('parse a RunSummary and a log line, and nothing else', () => {
    const run = runFixture({
      progress: { done: 3, total: 10, unit: 'pages', ratePerSecond: 0.9, etaSeconds: 8, message: 'page 3' },
      error: { code: 'X', message: 'y' },
    });
    expect(parseRunEvent(JSON.stringify(run))).toEqual(run);
    expect(parseRunEvent(JSON.stringify({ ...run, extra: 'ignored' }))).toEqual(run);
    for (const bad of [
      'not json',
      '[]',
      'null',
      JSON.stringify({ ...run, status: 'exploded' }),
      JSON.stringify({ ...run, rowsWritten: -1 }),
      JSON.stringify({ ...run, progress: { ...run.progress, done: 1.5 } }),
      JSON.stringify({ ...run, error: { code: 1 } }),
      JSON.stringify({ ...run, cancelRequested: 'no' }),
      JSON.stringify({ ...run, id: undefined }),
    ])
      expect(parseRunEvent(bad), bad).toBeUndefined();
    expect(parseRunEvent(undefined)).toBeUndefined();

    const log = { runId: 'r1', line: { seq: 4, at: '2026-01-05T12:00:00Z', level: 'warn', message: '429' } };
    expect(parseLogEvent(JSON.stringify(log))).toEqual(log);
    expect(parseLogEvent(JSON.stringify({ ...log, line: { ...log.line, level: 'debug' } }))).toBeUndefined();
    expect(parseLogEvent(JSON.stringify({ line: log.line }))).toBeUndefined();
  });
});

describe('a run event in the pipeline list', () => {
  it('makes a queued or running run the active one, with its progress', () => {
    const queued = runFixture({ status: 'queued', startedAt: null });
    let l = applyRunToPipelines(list(pipeline(), pipeline({ id: 'other' })), queued);
    expect(l.pipelines[0]?.activeRun).toEqual(queued);
    expect(l.pipelines[1]?.activeRun).toBeNull();
    const running = runFixture({ progress: progress(5) });
    l = applyRunToPipelines(l, running);
    expect(l.pipelines[0]?.activeRun?.progress.done).toBe(5);
  });

  it('ignores a late, older progress event and never un-finishes a run', () => {
    const l = list(pipeline({ activeRun: runFixture({ progress: progress(5) }) }));
    expect(applyRunToPipelines(l, runFixture({ progress: progress(4) }))).toBe(l);
    expect(isNewer(runFixture({ status: 'succeeded' }), runFixture())).toBe(false);
    expect(isNewer(runFixture({ cancelRequested: true }), runFixture())).toBe(false);
    expect(isNewer(runFixture(), runFixture({ cancelRequested: true }))).toBe(true);
  });

  it('keeps the running run active when another is queued behind it', () => {
    const running = runFixture({ id: 'r1' });
    const behind = runFixture({ id: 'r2', status: 'queued', startedAt: null });
    const l = list(pipeline({ activeRun: running }));
    expect(applyRunToPipelines(l, behind)).toBe(l);
    // ...and when the queued one is what the list shows, the one that starts running wins.
    const l2 = list(pipeline({ activeRun: behind }));
    expect(applyRunToPipelines(l2, running).pipelines[0]?.activeRun?.id).toBe('r1');
  });

  it('moves a finished run from active to last run', () => {
    const done = runFixture({
      status: 'failed',
      finishedAt: '2026-01-05T12:05:00Z',
      error: { code: 'E', message: 'm' },
    });
    const l = applyRunToPipelines(list(pipeline({ activeRun: runFixture() })), done);
    expect(l.pipelines[0]?.activeRun).toBeNull();
    expect(l.pipelines[0]?.lastRun).toEqual(done);
    // A late finish of an older run leaves the newer last run alone.
    const older = runFixture({ id: 'r0', status: 'succeeded', finishedAt: '2026-01-04T12:00:00Z' });
    expect(applyRunToPipelines(l, older)).toBe(l);
  });
});

describe('a run event in the history pages', () => {
  const page = (runs: RunSummary[], nextCursor: string | null = null): RunList => ({ runs, nextCursor });

  it('updates a run in place on any page, or puts a new one on top of the first', () => {
    const pages = [
      page([runFixture({ id: 'r3' }), runFixture({ id: 'r2', status: 'succeeded' })], 'c'),
      page([runFixture({ id: 'r1', status: 'failed' })]),
    ];
    const updated = applyRunToHistory(pages, runFixture({ id: 'r3', status: 'succeeded' }));
    expect(updated.flatMap((p) => p.runs.map((r) => `${r.id}:${r.status}`))).toEqual([
      'r3:succeeded',
      'r2:succeeded',
      'r1:failed',
    ]);
    expect(updated[1]).toBe(pages[1]);
    const added = applyRunToHistory(pages, runFixture({ id: 'r4', status: 'queued' }));
    expect(added[0]?.runs.map((r) => r.id)).toEqual(['r4', 'r3', 'r2']);
    expect(added[0]?.nextCursor).toBe('c');
    expect(applyRunToHistory([], runFixture())).toEqual([]);
  });
});

describe('a run event in the query cache', () => {
  it('updates the list, the run on screen and the history; a finish marks the list for a refetch', () => {
    const client = new QueryClient();
    client.setQueryData(jobKeys.pipelines(), list(pipeline()));
    client.setQueryData(jobKeys.run('r1'), runFixture({ status: 'queued' }));
    client.setQueryData(jobKeys.runs('ctgov'), { pages: [page0()], pageParams: [undefined] });

    applyRunEvent(client, runFixture({ progress: progress(2) }));
    expect(
      client.getQueryData<PipelineList>(jobKeys.pipelines())?.pipelines[0]?.activeRun?.progress.done,
    ).toBe(2);
    expect(client.getQueryData<RunSummary>(jobKeys.run('r1'))?.status).toBe('running');
    // A run nobody looks at is not added to the cache.
    applyRunEvent(client, runFixture({ id: 'r9', pipelineId: 'other' }));
    expect(client.getQueryData(jobKeys.run('r9'))).toBeUndefined();
    expect(client.getQueryState(jobKeys.pipelines())?.isInvalidated).toBe(false);

    applyRunEvent(client, runFixture({ status: 'succeeded', finishedAt: '2026-01-05T12:01:00Z' }));
    const history = client.getQueryData<{ pages: RunList[] }>(jobKeys.runs('ctgov'));
    expect(history?.pages[0]?.runs.map((r) => `${r.id}:${r.status}`)).toEqual(['r1:succeeded']);
    expect(client.getQueryState(jobKeys.pipelines())?.isInvalidated).toBe(true);
  });
});

function page0(): RunList {
  return { runs: [runFixture({ status: 'queued' })], nextCursor: null };
}
