import { dashboardUpdate, type DashboardUpdate } from '../../../contract/index.js';
import { queryKeys } from './queries.js';

/** An `invalidated` event's data, or undefined when it is not one (never trusted blindly). */
export function parseDashboardUpdate(data: unknown): DashboardUpdate | undefined {
  if (typeof data !== 'string') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const r = dashboardUpdate.safeParse(json);
  return r.success ? r.data : undefined;
}

/** The query-key prefixes an update makes stale: every data query of those widgets, every option list. */
export function keysToRefetch(dashboardId: string, update: DashboardUpdate): readonly (readonly unknown[])[] {
  return [
    ...update.widgets.map((w) => queryKeys.widgetDataAll(dashboardId, w)),
    ...update.filters.map((f) => queryKeys.filterOptionsAll(dashboardId, f)),
  ];
}
