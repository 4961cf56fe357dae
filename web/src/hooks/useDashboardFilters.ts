import { useCallback, useMemo } from 'react';
import type { FilterDefinition, WidgetDefinition } from '../../../contract/index.js';
import {
  activateMark,
  formatDashboardQuery,
  parseCrossFilters,
  type CrossFilters,
  type MarkValues,
} from '../app/filters/cross-filter.js';
import { activeFilterCount, withFilter, type FilterState } from '../app/filters/filter-state.js';
import { parseFilterQuery } from '../app/filters/filter-url.js';
import { navigate, useLocation } from '../app/routing/router.js';
import { drillPairs, formatDrill, parseDrill, type DrillPaths } from '../app/filters/drill-url.js';

export interface DashboardFilters {
  readonly state: FilterState;
  readonly activeCount: number;
  /** Cross-filters set by clicking marks (app/filters/cross-filter.ts), in the order applied. */
  readonly cross: CrossFilters;
  setFilter(def: FilterDefinition, value: unknown): void;
  reset(): void;
  /** A click (or Enter) on a mark of a widget; `additive` keeps the values already chosen. */
  activateMark(
    widget: Pick<WidgetDefinition, 'id' | 'crossFilters'>,
    mark: MarkValues,
    additive: boolean,
  ): void;
  /** Clears one filter's cross-filter, or all of them. */
  clearCross(filterId?: string): void;
  /**
   * Replaces every filter with these values (a preset): cross-filters are cleared, values that do not
   * fit a filter are ignored. `replace` rewrites the current history entry (opening with a preset).
   */
  applyValues(values: Readonly<Record<string, unknown>>, options?: { replace?: boolean }): void;
  /** Drill-down path per widget (app/filters/drill-url.ts), kept in the URL beside the filters. */
  readonly drill: DrillPaths;
  /** One widget's drill path (an empty path: back to its top level); one history entry each. */
  setDrill(widgetId: string, path: readonly string[]): void;
}

/** A filter state from plain values (a preset's), each normalized against its filter. */
export function stateFromValues(
  filters: readonly FilterDefinition[],
  values: Readonly<Record<string, unknown>>,
): FilterState {
  let state: FilterState = {};
  for (const def of filters) if (values[def.id] !== undefined) state = withFilter(state, def, values[def.id]);
  return state;
}

/**
 * Filter state lives in the URL (see app/filter-url.ts and app/cross-filter.ts), so a copied link
 * reproduces the view and back/forward step through filter changes. Each committed change is one
 * history entry; text inputs debounce before they commit, so typing does not flood the history.
 * The URL is extended here rather than in the router: the router stays a location store.
 */
export function useDashboardFilters(
  filters: readonly FilterDefinition[],
  drillable: ReadonlySet<string> = NO_DRILL,
): DashboardFilters {
  const location = useLocation();
  const drill = useMemo(() => parseDrill(location.search, drillable), [location.search, drillable]);
  const state = useMemo(() => parseFilterQuery(location.search, filters), [location.search, filters]);
  const cross = useMemo(() => parseCrossFilters(location.search, filters), [location.search, filters]);

  // Every change reads the live URL, not the render's copy: two quick changes must not undo each other.
  const update = useCallback(
    (change: (state: FilterState, cross: CrossFilters) => [FilterState, CrossFilters]) => {
      const search = window.location.search;
      const [nextState, nextCross] = change(
        parseFilterQuery(search, filters),
        parseCrossFilters(search, filters),
      );
      // Drill paths stay where they are while filters change: the chart stays at its level.
      navigate(withPairs(formatDashboardQuery(nextState, nextCross, filters), drillPairs(search)));
    },
    [filters],
  );
  const setDrill = useCallback(
    (widgetId: string, path: readonly string[]) => {
      const search = window.location.search;
      const current = parseDrill(search, drillable);
      const next = { ...current, [widgetId]: path };
      const filterPart = search
        .replace(/^\?/, '')
        .split('&')
        .filter((p) => p && !drillPairs(`?${p}`).length)
        .join('&');
      navigate(withPairs(filterPart ? `?${filterPart}` : '', formatDrill(next)));
    },
    [drillable],
  );

  const setFilter = useCallback(
    // The bar's choice for a filter replaces a cross-filter on it, so the two never disagree.
    (def: FilterDefinition, value: unknown) =>
      update((s, c) => [withFilter(s, def, value), c.filter((x) => x.filter !== def.id)]),
    [update],
  );
  const reset = useCallback(() => navigate(window.location.pathname), []);
  const activate = useCallback(
    (widget: Pick<WidgetDefinition, 'id' | 'crossFilters'>, mark: MarkValues, additive: boolean) =>
      update((s, c) => [s, activateMark(c, widget, mark, additive)]),
    [update],
  );
  const clearCross = useCallback(
    (filterId?: string) =>
      update((s, c) => [s, filterId === undefined ? [] : c.filter((x) => x.filter !== filterId)]),
    [update],
  );

  const applyValues = useCallback(
    (values: Readonly<Record<string, unknown>>, options: { replace?: boolean } = {}) =>
      navigate(
        `${window.location.pathname}${formatDashboardQuery(stateFromValues(filters, values), [], filters)}`,
        options,
      ),
    [filters],
  );

  return {
    state,
    drill,
    setDrill,
    applyValues,
    activeCount: activeFilterCount(state) + cross.length,
    cross,
    setFilter,
    reset,
    activateMark: activate,
    clearCross,
  };
}

const NO_DRILL: ReadonlySet<string> = new Set();

/** The page's path with a query string and more `key=value` pairs after it. */
function withPairs(query: string, pairs: readonly string[]): string {
  const all = [query.replace(/^\?/, ''), ...pairs].filter(Boolean);
  return `${window.location.pathname}${all.length ? `?${all.join('&')}` : ''}`;
}
