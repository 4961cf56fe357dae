import { MutationObserver, QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { PipelineList, PipelineSummary, RunList } from '../../../contract/index.js';
import { runFixture } from '../app/jobs/run-test-data.js';
import { isApiError } from './api-error.js';
import { jsonResponse, recordingClient } from './api-test-client.js';
import { jobsApi } from './jobs-api.js';
import { cancelRunMutation, startRunMutation } from './jobs-mutations.js';
import { jobKeys } from './jobs-queries.js';

const pipeline = (id: string, patch: Partial<PipelineSummary> = {}): PipelineSummary => ({
  id,
  title: id,
  type: 'http',
  schedule: null,
  nextRunAt: null,
  datasets: ['studies'],
  inputs: [],
  lastRun: null,
  activeRun: null,
  ...patch,
});

function cacheWithTwoPipelines() {
  const queryClient = new QueryClient();
  queryClient.setQueryData<PipelineList>(jobKeys.pipelines(), {
    pipelines: [pipeline('ctgov'), pipeline('other')],
  });
  const history = { pages: [{ runs: [], nextCursor: null } as RunList], pageParams: [undefined] };
  queryClient.setQueryData(jobKeys.runs('ctgov'), history);
  queryClient.setQueryData(jobKeys.runs('other'), history);
  return queryClient;
}

describe('startRunMutation', () => {
  it('posts Run now, shows the new run as the active one and refetches that pipeline’s history only', async () => {
    const queryClient = cacheWithTwoPipelines();
    const run = runFixture({ id: 'r9', status: 'queued', startedAt: null });
    const { client, calls } = recordingClient(() => jsonResponse(run, 202));
    const observer = new MutationObserver(
      queryClient,
      startRunMutation(queryClient, 'ctgov', jobsApi(client)),
    );

    await expect(observer.mutate(false)).resolves.toEqual(run);
    expect(calls).toEqual([{ call: 'POST /api/v1/pipelines/ctgov/runs', body: {} }]);
    const list = queryClient.getQueryData<PipelineList>(jobKeys.pipelines());
    expect(list?.pipelines.map((p) => [p.id, p.activeRun?.id ?? null])).toEqual([
      ['ctgov', 'r9'],
      ['other', null],
    ]);
    expect(queryClient.getQueryState(jobKeys.runs('ctgov'))?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(jobKeys.runs('other'))?.isInvalidated).toBe(false);
  });

  it('asks to queue behind the running run when told to', async () => {
    const queryClient = cacheWithTwoPipelines();
    const { client, calls } = recordingClient(() => jsonResponse(runFixture({ status: 'queued' }), 202));
    await new MutationObserver(queryClient, startRunMutation(queryClient, 'ctgov', jobsApi(client))).mutate(
      true,
    );
    expect(calls).toEqual([{ call: 'POST /api/v1/pipelines/ctgov/runs', body: { queueIfRunning: true } }]);
  });

  it('leaves the cache alone and hands the 409 on when the pipeline is already running', async () => {
    const queryClient = cacheWithTwoPipelines();
    const { client } = recordingClient(() =>
      jsonResponse({ error: 'PIPELINE_ALREADY_RUNNING', message: 'ctgov is running.', requestId: 'q' }, 409),
    );
    const observer = new MutationObserver(
      queryClient,
      startRunMutation(queryClient, 'ctgov', jobsApi(client)),
    );
    const err: unknown = await observer.mutate(false).catch((e: unknown) => e);
    expect(isApiError(err) && err.code).toBe('PIPELINE_ALREADY_RUNNING');
    const list = queryClient.getQueryData<PipelineList>(jobKeys.pipelines());
    expect(list?.pipelines.every((p) => p.activeRun === null)).toBe(true);
    expect(queryClient.getQueryState(jobKeys.runs('ctgov'))?.isInvalidated).toBe(false);
  });
});

describe('cancelRunMutation', () => {
  it('posts the cancel and shows the run as cancelling at once', async () => {
    const queryClient = new QueryClient();
    const running = runFixture({ id: 'r1', pipelineId: 'ctgov' });
    queryClient.setQueryData<PipelineList>(jobKeys.pipelines(), {
      pipelines: [pipeline('ctgov', { activeRun: running })],
    });
    const { client, calls } = recordingClient(() =>
      jsonResponse({ ...running, cancelRequested: true, progress: { ...running.progress, done: 1 } }),
    );
    await new MutationObserver(queryClient, cancelRunMutation(queryClient, jobsApi(client))).mutate('r1');
    expect(calls.map((c) => c.call)).toEqual(['POST /api/v1/runs/r1/cancel']);
    const list = queryClient.getQueryData<PipelineList>(jobKeys.pipelines());
    expect(list?.pipelines[0]?.activeRun?.cancelRequested).toBe(true);
  });
});
