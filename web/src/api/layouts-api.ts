import { queryOptions } from '@tanstack/react-query';
import type { DashboardLayout, LayoutItem } from '../../../contract/index.js';
import { api, type ApiClient } from './api-client.js';

/** Typed calls of the own-layout API (contract/layouts.schema.ts) on the shared client. */
export function layoutsApi(client: ApiClient = api) {
  const url = (dashboardId: string) => `/dashboards/${encodeURIComponent(dashboardId)}/layout`;
  return {
    get: (dashboardId: string, signal?: AbortSignal) =>
      client.send<DashboardLayout>('GET', url(dashboardId), undefined, signal),
    save: (dashboardId: string, items: readonly LayoutItem[]) =>
      client.send<DashboardLayout>('PUT', url(dashboardId), { items }),
    reset: (dashboardId: string) => client.send<void>('DELETE', url(dashboardId)),
  };
}
export const layouts = layoutsApi();

/** Under 'account' like presets: a layout is the signed-in user's, dropped on sign-out or switch. */
export const layoutKeys = { one: (dashboardId: string) => ['account', 'layout', dashboardId] as const };

export function layoutQuery(dashboardId: string) {
  return queryOptions({
    queryKey: layoutKeys.one(dashboardId),
    queryFn: ({ signal }) => layouts.get(dashboardId, signal),
    staleTime: 60_000,
  });
}
