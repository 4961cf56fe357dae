import type { SearchHit } from '../../../../contract/index.js';
import { dashboardPath } from './routes.js';

/**
 * Where a search hit leads: its dashboard with the one filter set to the value found. A single value
 * is written the same way for a multi_select and a text filter (app/filters/filter-url.ts), so the
 * dashboard reads it back exactly, whatever characters it holds.
 */
export function hitPath(hit: Pick<SearchHit, 'dashboard' | 'filter' | 'value'>): string {
  return dashboardPath(hit.dashboard, `?${encodeURIComponent(hit.filter)}=${encodeURIComponent(hit.value)}`);
}
