import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { SortSpec, WidgetDefinition } from '../../../contract/index.js';
import type { WidgetDataParams } from '../api/api-client.js';
import { widgetDataQuery } from '../api/queries.js';
import { requestFilters, type FilterState } from '../app/filters/filter-state.js';

/** Used when a table widget's definition names no page size. */
export const DEFAULT_PAGE_SIZE = 25;

/**
 * One widget's data. Only the filters that affect the widget go into the request (and the query key),
 * and the previous result stays on screen while a new one loads, so charts do not flash empty.
 */
export function useWidgetData(
  dashboardId: string,
  widget: WidgetDefinition,
  filters: FilterState,
  table?: { offset: number; sort: SortSpec | undefined },
  drill?: readonly string[],
  /** Auto-refresh: how often to refetch (app/freshness/auto-refresh.ts), or false. */
  refetchMs: number | false = false,
) {
  const paged = table !== undefined;
  const offset = table?.offset ?? 0;
  const sort = table?.sort;
  const params = useMemo<WidgetDataParams>(
    () => ({
      filters: requestFilters(filters, widget.filters),
      ...(paged ? { page: { offset, limit: widget.pageSize ?? DEFAULT_PAGE_SIZE } } : {}),
      ...(paged && sort ? { sort } : {}),
      ...(drill?.length ? { drill } : {}),
    }),
    [filters, widget.filters, widget.pageSize, paged, offset, sort, drill],
  );

  return useQuery({
    ...widgetDataQuery(dashboardId, widget.id, params, widget.freshnessMs),
    enabled: widget.type !== 'text' && widget.type !== 'action',
    placeholderData: keepPreviousData,
    refetchInterval: refetchMs,
  });
}
