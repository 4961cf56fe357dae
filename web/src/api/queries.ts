import { queryOptions } from '@tanstack/react-query';
import { api, type ApiClient, type WidgetDataParams } from './api-client.js';

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

export function widgetDataQuery(
  dashboardId: string,
  widgetId: string,
  params: WidgetDataParams,
  client: ApiClient = api,
) {
  return queryOptions({
    queryKey: queryKeys.widgetData(dashboardId, widgetId, params),
    queryFn: ({ signal }) => client.widgetData(dashboardId, widgetId, params, signal),
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
