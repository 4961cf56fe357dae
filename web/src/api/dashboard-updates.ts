import type { DashboardUpdate } from '../../../contract/index.js';
import { queryKeys } from './queries.js';

/**
 * An `invalidated` event's data, or undefined when it is not one (never trusted blindly). Checked by
 * hand, not with the contract's zod schema: zod in the bundle would probe `new Function`, which the
 * CSP forbids (a console error on every page), and would weigh more than this whole module.
 */
export function parseDashboardUpdate(data: unknown): DashboardUpdate | undefined {
  if (typeof data !== 'string') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { widgets, filters } = json as Record<string, unknown>;
  return isStringArray(widgets) && isStringArray(filters) ? { widgets, filters } : undefined;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** The query-key prefixes an update makes stale: every data query of those widgets, every option list. */
export function keysToRefetch(dashboardId: string, update: DashboardUpdate): readonly (readonly unknown[])[] {
  return [
    ...update.widgets.map((w) => queryKeys.widgetDataAll(dashboardId, w)),
    ...update.filters.map((f) => queryKeys.filterOptionsAll(dashboardId, f)),
  ];
}
