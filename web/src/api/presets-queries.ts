import { queryOptions } from '@tanstack/react-query';
import { presets, type PresetsApi } from './presets-api.js';

/**
 * Presets belong to the signed-in user and organisation: their keys live under the 'account' prefix
 * (accounts-queries.ts), so signing out or switching organisation drops them with the rest.
 */
export const presetKeys = {
  list: (dashboardId: string) => ['account', 'presets', dashboardId] as const,
  one: (dashboardId: string, id: string) => ['account', 'presets', dashboardId, id] as const,
};

export function presetListQuery(dashboardId: string, client: PresetsApi = presets) {
  return queryOptions({
    queryKey: presetKeys.list(dashboardId),
    queryFn: ({ signal }) => client.list(dashboardId, signal),
    staleTime: 30_000,
  });
}

/** One preset, re-checked by the server against the dashboard (for `?preset=`). */
export function presetQuery(dashboardId: string, id: string, client: PresetsApi = presets) {
  return queryOptions({
    queryKey: presetKeys.one(dashboardId, id),
    queryFn: ({ signal }) => client.get(dashboardId, id, signal),
    retry: false,
  });
}
