import { mutationOptions, type QueryClient } from '@tanstack/react-query';
import type { RunInputValues } from '../../../contract/index.js';
import { jobs, type JobsApi } from './jobs-api.js';
import { applyRunEvent, jobKeys } from './jobs-queries.js';

/**
 * Mutation factories for the Jobs page, beside the query factories they keep current: what each
 * write calls and what it changes in the cache. Components call `useMutation(factory(queryClient))`
 * and pass only screen effects (a dialog to open or close) to `mutate(vars, { onSuccess, onError })`.
 * The pattern is described in accounts-mutations.ts.
 */

/**
 * Run now (`false`) or queue behind the running run (`true`). The answer is the new run: it goes into
 * the list at once and the pipeline's history is refetched (it has a new first row).
 * A 409 PIPELINE_ALREADY_RUNNING arrives as the mutation's error; the card offers to queue.
 */
export function startRunMutation(queryClient: QueryClient, pipelineId: string, client: JobsApi = jobs) {
  return mutationOptions({
    mutationFn: (queueIfRunning: boolean) =>
      client.startRun(pipelineId, queueIfRunning ? { queueIfRunning } : {}),
    onSuccess: (run) => {
      applyRunEvent(queryClient, run);
      // Not awaited: the button is free again as soon as the run exists, not when the history is back.
      void queryClient.invalidateQueries({ queryKey: jobKeys.runs(pipelineId) });
    },
  });
}

/** Start a run with inputs (the "Run with inputs…" form): refused per field with PIPELINE_INPUTS_INVALID. */
export function startRunWithInputsMutation(
  queryClient: QueryClient,
  pipelineId: string,
  client: JobsApi = jobs,
) {
  return mutationOptions({
    mutationFn: (inputs: RunInputValues) => client.startRun(pipelineId, { inputs }),
    onSuccess: (run) => {
      applyRunEvent(queryClient, run);
      void queryClient.invalidateQueries({ queryKey: jobKeys.runs(pipelineId) });
    },
  });
}

/**
 * Re-run only the failed rows of a finished enrichment run, with its inputs (`retryFailedOf`): the
 * new run goes into the list; a 409 (one is running) or 404 arrives as the mutation's error.
 */
export function retryFailedMutation(queryClient: QueryClient, pipelineId: string, client: JobsApi = jobs) {
  return mutationOptions({
    mutationFn: (runId: string) => client.startRun(pipelineId, { retryFailedOf: runId }),
    onSuccess: (run) => {
      applyRunEvent(queryClient, run);
      void queryClient.invalidateQueries({ queryKey: jobKeys.runs(pipelineId) });
    },
  });
}

/** Cancel a run: the server answers with the run marked `cancelRequested`, shown at once. */
export function cancelRunMutation(queryClient: QueryClient, client: JobsApi = jobs) {
  return mutationOptions({
    mutationFn: (runId: string) => client.cancel(runId),
    onSuccess: (run) => applyRunEvent(queryClient, run),
  });
}
