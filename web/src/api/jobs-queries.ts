import { infiniteQueryOptions, queryOptions, type QueryClient } from '@tanstack/react-query';
import type { PipelineList, RunList, RunSummary } from '../../../contract/index.js';
import { jobs, type JobsApi } from './jobs-api.js';
import { applyRunToHistory, applyRunToPipelines, isNewer } from './run-events.js';

/**
 * queryOptions factories for pipelines and runs, all under the 'jobs' prefix. The run events keep
 * them current (applyRunEvent), so they are not refetched on a timer; a reconnect of the stream
 * refetches them all, since what happened in between was not heard.
 */
export const jobKeys = {
  all: () => ['jobs'] as const,
  pipelines: () => ['jobs', 'pipelines'] as const,
  runsAll: () => ['jobs', 'runs'] as const,
  runs: (pipelineId: string) => ['jobs', 'runs', pipelineId] as const,
  run: (runId: string) => ['jobs', 'run', runId] as const,
};

export const HISTORY_PAGE_SIZE = 20;

export function pipelinesQuery(client: JobsApi = jobs) {
  return queryOptions({
    queryKey: jobKeys.pipelines(),
    queryFn: ({ signal }) => client.pipelines(signal),
    staleTime: 60_000,
  });
}

/** A pipeline's runs, newest first, a page per "Load more" (the server's nextCursor). */
export function runHistoryQuery(pipelineId: string, client: JobsApi = jobs) {
  return infiniteQueryOptions({
    queryKey: jobKeys.runs(pipelineId),
    queryFn: ({ signal, pageParam }) =>
      client.runs(pipelineId, { cursor: pageParam, limit: HISTORY_PAGE_SIZE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: RunList) => last.nextCursor ?? undefined,
    staleTime: 60_000,
  });
}

export function runQuery(runId: string, client: JobsApi = jobs) {
  return queryOptions({
    queryKey: jobKeys.run(runId),
    queryFn: ({ signal }) => client.run(runId, signal),
    staleTime: 60_000,
  });
}

const TERMINAL = new Set<RunSummary['status']>(['succeeded', 'failed', 'cancelled']);

/**
 * What a run from the server (an event, or the answer to Run now / Cancel) changes in the cache:
 * the pipeline list, the run itself and its pipeline's history. After a finish the list is
 * refetched for what only the server knows (a run queued behind it starting, the next schedule).
 */
export function applyRunEvent(queryClient: QueryClient, run: RunSummary): void {
  queryClient.setQueryData<PipelineList>(jobKeys.pipelines(), (list) =>
    list ? applyRunToPipelines(list, run) : list,
  );
  // Only a run someone looks at (its log view) is held; others are not added to the cache.
  queryClient.setQueryData<RunSummary>(jobKeys.run(run.id), (held) =>
    held && isNewer(held, run) ? run : held,
  );
  queryClient.setQueryData<{ pages: RunList[]; pageParams: unknown[] }>(
    jobKeys.runs(run.pipelineId),
    (data) => (data ? { ...data, pages: applyRunToHistory(data.pages, run) } : data),
  );
  if (TERMINAL.has(run.status)) void queryClient.invalidateQueries({ queryKey: jobKeys.pipelines() });
}
