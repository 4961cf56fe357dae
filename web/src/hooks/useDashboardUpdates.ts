import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../api/api-client.js';
import { keysToRefetch, parseDashboardUpdate } from '../api/dashboard-updates.js';
import { queryKeys } from '../api/queries.js';

/**
 * Listens to the dashboard's update stream and refetches the widgets whose data changed (a pipeline
 * or upload invalidated their dataset), without waiting for their freshness to run out. After the
 * stream was lost and comes back, every widget refetches: changes in between were not heard.
 * Without a stream (refused: TOO_MANY_STREAMS, or no EventSource) the page still refetches on freshness.
 */
export function useDashboardUpdates(dashboardId: string): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(api.eventsUrl(dashboardId));
    let lost = false;
    source.addEventListener('invalidated', (event) => {
      const update = parseDashboardUpdate(event.data);
      if (!update) return;
      for (const queryKey of keysToRefetch(dashboardId, update))
        void queryClient.invalidateQueries({ queryKey });
    });
    source.addEventListener('error', () => {
      lost = true;
    });
    source.addEventListener('open', () => {
      if (lost) void queryClient.invalidateQueries({ queryKey: queryKeys.dashboardData(dashboardId) });
      lost = false;
    });
    return () => source.close();
  }, [dashboardId, queryClient]);
}
