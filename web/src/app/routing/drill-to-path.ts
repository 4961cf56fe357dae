import type { WidgetDefinition } from '../../../../contract/index.js';
import { dashboardPath } from './routes.js';

type DrillTo = NonNullable<WidgetDefinition['drillTo']>;

/**
 * Where a drill to another dashboard leads: the target with each of its filters set to the clicked
 * mark's value of the column it takes. A single value is written as the filter URL reads one
 * (app/filters/filter-url.ts), for multi_select and text filters alike; a column the mark has no value
 * for (a "Not set" category) leaves that filter unset.
 */
export function drillToPath(drillTo: DrillTo, values: Readonly<Record<string, string>>): string {
  const params = drillTo.filters
    .filter((f) => values[f.column] !== undefined)
    .map((f) => `${encodeURIComponent(f.filter)}=${encodeURIComponent(values[f.column] ?? '')}`);
  return dashboardPath(drillTo.dashboard, params.length ? `?${params.join('&')}` : '');
}
