import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { PipelineList, RunLogEvent } from '../../../contract/index.js';
import { jobs } from '../api/jobs-api.js';
import { applyRunEvent, jobKeys, pipelinesQuery } from '../api/jobs-queries.js';
import { parseLogEvent, parseRunEvent } from '../api/run-events.js';
import { i18n } from '../app/i18n/i18n.js';
import { isActive, runFinishedToast, type RunToastWords } from '../app/jobs/job-format.js';
import { formatLocale } from '../charts/value-format.js';
import { showToast } from '../app/shell/toasts.js';

type LogListener = (event: RunLogEvent) => void;
const logListeners = new Map<string, Set<LogListener>>();

/** The log view of one run listens here to the `log` events of the one shared stream. */
export function subscribeRunLog(runId: string, listener: LogListener): () => void {
  let set = logListeners.get(runId);
  if (!set) logListeners.set(runId, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) logListeners.delete(runId);
  };
}

/** How many active run ids to remember (bounded; far more than a project runs at once). */
const ACTIVE_MEMORY = 200;

/**
 * The organisation's run events, one stream per tab while someone is signed in and the project has
 * pipelines (none: no stream at all). `run` events update the pipeline list, the runs on screen and
 * their history in the cache, and a run seen running that finishes shows a toast on whatever page is
 * open (once: a finished run heard again, or one that ended before the page loaded, does not);
 * `log` events go to the open log view. After the stream was lost and comes back, the jobs queries
 * refetch: what happened in between was not heard.
 */
export function useRunEvents(organisationId: string | undefined): void {
  const queryClient = useQueryClient();
  const pipelines = useQuery({ ...pipelinesQuery(), enabled: organisationId !== undefined });
  const hasPipelines = (pipelines.data?.pipelines.length ?? 0) > 0;

  useEffect(() => {
    if (!organisationId || !hasPipelines || typeof EventSource === 'undefined') return;
    const source = new EventSource(jobs.eventsUrl());
    const active = new Set<string>();
    let lost = false;
    source.addEventListener('run', (event) => {
      const run = parseRunEvent(event.data);
      if (!run) return;
      const list = queryClient.getQueryData<PipelineList>(jobKeys.pipelines());
      const pipeline = list?.pipelines.find((p) => p.id === run.pipelineId);
      const wasActive = active.has(run.id) || pipeline?.activeRun?.id === run.id;
      applyRunEvent(queryClient, run);
      if (isActive(run.status)) {
        active.add(run.id);
        if (active.size > ACTIVE_MEMORY) active.delete(active.values().next().value ?? '');
        return;
      }
      active.delete(run.id);
      const say: RunToastWords = (key, v) => i18n.t(`toasts.run.${key}`, { ...v });
      const toast = wasActive
        ? runFinishedToast(run, pipeline?.title ?? run.pipelineId, formatLocale(), say)
        : undefined;
      if (toast) showToast({ ...toast, key: run.id });
    });
    source.addEventListener('log', (event) => {
      const log = parseLogEvent(event.data);
      if (!log) return;
      for (const listener of logListeners.get(log.runId) ?? []) listener(log);
    });
    source.addEventListener('error', () => {
      lost = true;
    });
    source.addEventListener('open', () => {
      if (lost) void queryClient.invalidateQueries({ queryKey: jobKeys.all() });
      lost = false;
    });
    return () => source.close();
  }, [organisationId, hasPipelines, queryClient]);
}
