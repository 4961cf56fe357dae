import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import type { WidgetDataResponse } from '../../../contract/index.js';
import { queryKeys } from '../api/queries.js';
import { staleSince } from '../app/shell/stale-data.js';

/** The oldest stale-because-the-source-is-down result among the dashboard's widgets on screen. */
export function useStaleSince(dashboardId: string): string | undefined {
  const queryClient = useQueryClient();
  const cache = queryClient.getQueryCache();
  const subscribe = useCallback((onChange: () => void) => cache.subscribe(onChange), [cache]);
  const snapshot = useCallback(
    () =>
      staleSince(
        cache
          .findAll({ queryKey: queryKeys.dashboardData(dashboardId), type: 'active' })
          .map((q) => q.state.data as WidgetDataResponse | undefined),
      ),
    [cache, dashboardId],
  );
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
