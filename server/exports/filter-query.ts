import type { Dashboard } from '../config/project/project.types.js';
import { checkFilterValues, type CheckedFilter } from '../services/filter-values.js';

/**
 * Filter values (as a preset or a widget export holds them) as the filter part of a dashboard's
 * address, in the web app's encoding (web/src/app/filters/filter-url.ts `formatFilterQuery`, which
 * the print page reads): one `id=value` per active filter in the dashboard's filter order; a list
 * joined by a raw ","; ranges `from..to` / `min..max`; every id and single value URI-encoded. The
 * values are checked against the dashboard first (INVALID_FILTER_VALUE / UNKNOWN_FILTER), so a
 * preset saved before the dashboard changed fails as loudly as a request would.
 */
export function filterQueryOf(dashboard: Dashboard, values: Record<string, unknown>): string {
  const checked = new Map(checkFilterValues(dashboard, values).map((c) => [c.filter.id, c]));
  const parts: string[] = [];
  for (const filter of dashboard.filters) {
    const c = checked.get(filter.id);
    if (c) parts.push(`${encodeURIComponent(filter.id)}=${encoded(c)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function encoded(c: CheckedFilter): string {
  switch (c.type) {
    case 'multi_select':
      return c.value.map((v) => encodeURIComponent(v)).join(',');
    case 'text':
      return encodeURIComponent(c.value);
    case 'date_range':
      return `${c.value.from ?? ''}..${c.value.to ?? ''}`;
    case 'number_range':
      return `${num(c.value.min)}..${num(c.value.max)}`;
  }
}

const num = (n: number | undefined) => (n === undefined ? '' : encodeURIComponent(String(n)));
