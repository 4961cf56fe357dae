import type {
  PipelineList,
  RunList,
  RunLogPage,
  RunSummary,
  StartRunRequest,
} from '../../../contract/index.js';
import { api, type ApiClient } from './api-client.js';

/**
 * Typed calls of the jobs API (contract/jobs.schema.ts) on the shared ApiClient: the organisation's
 * pipelines, their runs, logs, and the controls. Only type imports from contract/ (no zod in the bundle).
 */
export function jobsApi(client: ApiClient = api) {
  const seg = encodeURIComponent;
  return {
    pipelines: (signal?: AbortSignal) => client.send<PipelineList>('GET', '/pipelines', undefined, signal),
    /** 202 with the run; 409 PIPELINE_ALREADY_RUNNING unless `queueIfRunning`. */
    startRun: (pipelineId: string, body: StartRunRequest = {}) =>
      client.send<RunSummary>('POST', `/pipelines/${seg(pipelineId)}/runs`, body),
    runs: (
      pipelineId: string,
      params: { cursor?: string | undefined; limit?: number },
      signal?: AbortSignal,
    ) =>
      client.send<RunList>(
        'GET',
        `/pipelines/${seg(pipelineId)}/runs${queryString({ limit: params.limit, cursor: params.cursor })}`,
        undefined,
        signal,
      ),
    run: (runId: string, signal?: AbortSignal) =>
      client.send<RunSummary>('GET', `/runs/${seg(runId)}`, undefined, signal),
    /** Lines after sequence `after` (all from the start without it), in order, one bounded page. */
    logs: (runId: string, params: { after?: number | undefined; limit?: number }, signal?: AbortSignal) =>
      client.send<RunLogPage>(
        'GET',
        `/runs/${seg(runId)}/logs${queryString({ after: params.after, limit: params.limit })}`,
        undefined,
        signal,
      ),
    cancel: (runId: string) => client.send<RunSummary>('POST', `/runs/${seg(runId)}/cancel`, {}),
    /** The organisation's run events (`run`, `log`), for EventSource. */
    eventsUrl: () => client.streamUrl('/runs/events'),
  };
}

/** `?a=1&b=x` from the defined values, "" when none. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export type JobsApi = ReturnType<typeof jobsApi>;
export const jobs = jobsApi();
