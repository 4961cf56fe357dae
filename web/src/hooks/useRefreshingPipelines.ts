import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { pipelinesQuery } from '../api/jobs-queries.js';
import { refreshingPipelines } from '../app/jobs/refreshing.js';

/**
 * The pipelines running now that write what this dashboard reads. The list is the one the run events
 * keep current (useRunEvents), so the badge comes and goes with the runs; without it, nothing shows.
 */
export function useRefreshingPipelines(datasets: readonly string[]): { id: string; title: string }[] {
  const pipelines = useQuery({ ...pipelinesQuery(), enabled: datasets.length > 0 });
  const list = pipelines.data?.pipelines;
  return useMemo(() => (list ? refreshingPipelines(datasets, list) : []), [datasets, list]);
}
