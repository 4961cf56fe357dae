import { queryOptions } from '@tanstack/react-query';
import { api, type ApiClient, type DrillRowsParams, type WidgetDataParams } from './api-client.js';

/**
 * queryOptions factories: one place that knows each query's key and how to fetch it. The key holds
 * everything the response depends on (dashboard, widget, the filters that affect it, page, sort), so
 * identical views share a cache entry and a changed filter is a new entry.
 */
export const queryKeys = {
  dashboards: () => ['dashboards'] as const,
  dashboard: (dashboardId: string) => ['dashboard', dashboardId] as const,
  widgetData: (dashboardId: string, widgetId: string, params: WidgetDataParams) =>
    ['widget-data', dashboardId, widgetId, params] as const,
  /** Prefix of every data query of one widget (any filters, page, sort): what an update refetches. */
  widgetDataAll: (dashboardId: string, widgetId: string) => ['widget-data', dashboardId, widgetId] as const,
  /** Prefix of every data query of a dashboard: what the stale banner watches. */
  dashboardData: (dashboardId: string) => ['widget-data', dashboardId] as const,
  filterOptionsAll: (dashboardId: string, filterId: string) =>
    ['filter-options', dashboardId, filterId] as const,
  filterOptions: (dashboardId: string, filterId: string, search: string) =>
    ['filter-options', dashboardId, filterId, search] as const,
};

export function dashboardListQuery(client: ApiClient = api) {
  return queryOptions({
    queryKey: queryKeys.dashboards(),
    queryFn: ({ signal }) => client.listDashboards(signal),
  });
}

export function dashboardQuery(dashboardId: string, client: ApiClient = api) {
  return queryOptions({
    queryKey: queryKeys.dashboard(dashboardId),
    queryFn: ({ signal }) => client.getDashboard(dashboardId, signal),
  });
}

/**
 * `freshnessMs` is the widget's dataset freshness from the definition: within it the server would
 * answer from its cache anyway, so the browser reuses what it has (0 = live: always ask). A change
 * of the data before then arrives on the update stream (useDashboardUpdates) and refetches at once.
 */
export function widgetDataQuery(
  dashboardId: string,
  widgetId: string,
  params: WidgetDataParams,
  freshnessMs = 0,
  client: ApiClient = api,
) {
  return queryOptions({
    queryKey: queryKeys.widgetData(dashboardId, widgetId, params),
    queryFn: ({ signal }) => client.widgetData(dashboardId, widgetId, params, signal),
    staleTime: freshnessMs,
  });
}

/** One page of the rows behind a mark; as fresh as the widget's own data. */
export function drillRowsQuery(
  dashboardId: string,
  widgetId: string,
  params: DrillRowsParams,
  freshnessMs = 0,
  client: ApiClient = api,
) {
  return queryOptions({
    queryKey: ['widget-data', dashboardId, widgetId, 'rows', params] as const,
    queryFn: ({ signal }) => client.drillRows(dashboardId, widgetId, params, signal),
    staleTime: freshnessMs,
  });
}

/** Options lists change only with the data; a longer staleTime spares the server while typing. */
export const FILTER_OPTIONS_LIMIT = 50;
export function filterOptionsQuery(
  dashboardId: string,
  filterId: string,
  search: string,
  client: ApiClient = api,
) {
  return queryOptions({
    queryKey: queryKeys.filterOptions(dashboardId, filterId, search),
    queryFn: ({ signal }) =>
      client.filterOptions(dashboardId, filterId, { search, limit: FILTER_OPTIONS_LIMIT }, signal),
    staleTime: 5 * 60_000,
  });
}
