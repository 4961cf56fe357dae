import { useCallback, useMemo } from 'react';
import type { FilterDefinition } from '../../../contract/index.js';
import { activeFilterCount, withFilter, type FilterState } from '../app/filters/filter-state.js';
import { formatFilterQuery, parseFilterQuery } from '../app/filters/filter-url.js';
import { navigate, useLocation } from '../app/routing/router.js';

export interface DashboardFilters {
  readonly state: FilterState;
  readonly activeCount: number;
  setFilter(def: FilterDefinition, value: unknown): void;
  reset(): void;
}

/**
 * Filter state lives in the URL (see app/filter-url.ts), so a copied link reproduces the view and
 * back/forward step through filter changes. Each committed change is one history entry; text
 * inputs debounce before they commit, so typing does not flood the history.
 */
export function useDashboardFilters(filters: readonly FilterDefinition[]): DashboardFilters {
  const location = useLocation();
  const state = useMemo(() => parseFilterQuery(location.search, filters), [location.search, filters]);

  const setFilter = useCallback(
    (def: FilterDefinition, value: unknown) => {
      // Read the live URL, not the render's copy: two quick changes must not undo each other.
      const live = parseFilterQuery(window.location.search, filters);
      const next = withFilter(live, def, value);
      navigate(`${window.location.pathname}${formatFilterQuery(next, filters)}`);
    },
    [filters],
  );

  const reset = useCallback(() => navigate(window.location.pathname), []);

  return { state, activeCount: activeFilterCount(state), setFilter, reset };
}
