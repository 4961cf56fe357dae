import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useMemo, useRef, type FocusEvent, type PointerEvent } from 'react';
import type { WidgetDataParams } from '../api/api-client.js';
import { dashboardQuery, widgetDataQuery } from '../api/queries.js';
import { requestFilters } from '../app/filters/filter-state.js';
import { DEFAULT_PAGE_SIZE } from './useWidgetData.js';

/** Widgets whose data is fetched ahead, at most: the first ones, which the page shows first. */
export const PREFETCH_WIDGETS = 4;
/** A dashboard prefetched less than this long ago is not asked for again (hovering back and forth). */
const PREFETCH_AGAIN_MS = 30_000;
const recently = new Map<string, number>();

/**
 * Fetches a dashboard's definition and its first widgets' data (with no filters, as the page opens)
 * into the query cache, so following the link shows them at once. Bounded: PREFETCH_WIDGETS widgets,
 * once per PREFETCH_AGAIN_MS per dashboard, cached widgets only (live data would be asked again anyway).
 */
export function prefetchDashboard(client: QueryClient, dashboardId: string, now = Date.now()): void {
  const last = recently.get(dashboardId);
  if (last !== undefined && now - last < PREFETCH_AGAIN_MS) return;
  recently.set(dashboardId, now);
  if (recently.size > 100) recently.delete(recently.keys().next().value ?? dashboardId);
  void client
    .fetchQuery({ ...dashboardQuery(dashboardId), staleTime: PREFETCH_AGAIN_MS })
    .then((definition) => {
      const widgets = definition.widgets.filter((w) => w.type !== 'text' && w.freshnessMs > 0);
      for (const w of widgets.slice(0, PREFETCH_WIDGETS)) {
        const params: WidgetDataParams = {
          filters: requestFilters({}, w.filters),
          ...(w.type === 'table' ? { page: { offset: 0, limit: w.pageSize ?? DEFAULT_PAGE_SIZE } } : {}),
        };
        void client.prefetchQuery(widgetDataQuery(dashboardId, w.id, params, w.freshnessMs));
      }
    })
    // A prefetch is a guess: a failure shows when the page itself asks.
    .catch(() => undefined);
}

/**
 * Handlers for a link to a dashboard: prefetch when a mouse or pen hovers it or the keyboard focuses
 * it; never on touch (a tap focuses the link just before it navigates: nothing to gain, data to spend).
 */
export function usePrefetchDashboard(dashboardId: string) {
  const client = useQueryClient();
  const touched = useRef(false);
  return useMemo(
    () => ({
      onPointerDown: (e: PointerEvent) => {
        touched.current = e.pointerType === 'touch';
      },
      onPointerEnter: (e: PointerEvent) => {
        if (e.pointerType === 'mouse' || e.pointerType === 'pen') prefetchDashboard(client, dashboardId);
      },
      onFocus: (_e: FocusEvent) => {
        if (!touched.current) prefetchDashboard(client, dashboardId);
      },
    }),
    [client, dashboardId],
  );
}
