import type { PipelineSummary } from '../../../../contract/index.js';

/**
 * The pipelines refreshing a dashboard's data right now: those with a running run whose datasets
 * are among the ones the dashboard reads. A queued run has not touched anything yet, so it does not count.
 */
export function refreshingPipelines(
  dashboardDatasets: readonly string[],
  pipelines: readonly Pick<PipelineSummary, 'id' | 'title' | 'datasets' | 'activeRun'>[],
): { id: string; title: string }[] {
  if (dashboardDatasets.length === 0) return [];
  const reads = new Set(dashboardDatasets);
  return pipelines
    .filter((p) => p.activeRun?.status === 'running' && p.datasets.some((d) => reads.has(d)))
    .map((p) => ({ id: p.id, title: p.title }));
}
