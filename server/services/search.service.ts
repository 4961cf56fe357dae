import {
  MAX_SEARCH_HITS,
  MAX_SEARCH_SOURCES,
  SEARCH_HITS_PER_FILTER,
  type SearchHit,
  type SearchResponse,
} from '../../contract/index.js';
import { DEFAULT_LOCALE, pickTitle, type Locale } from '../../contract/locale.js';
import type { Dashboard, Project, ResolvedFilter } from '../config/project/project.types.js';
import type { RequestSignal } from '../cache/cached-query.js';
import type { QueryRunner } from './query-runner.js';
import type { Viewer } from './viewer.js';

export interface SearchInput {
  /** Already trimmed and bounded by the route's schema. */
  readonly q: string;
  readonly viewer: Viewer;
  readonly signal?: RequestSignal;
  /** The reader's language, for dashboard titles and filter labels given as translations. */
  readonly locale?: Locale;
}

interface SearchSource {
  readonly dashboard: Dashboard;
  readonly filter: ResolvedFilter;
  readonly dataset: string;
  readonly column: string;
}

/**
 * The (dataset, column) pairs that filters declared `search: true` on the dashboards this viewer's
 * role may open, in dashboard order; each pair once (its first dashboard gets the hit), at most
 * MAX_SEARCH_SOURCES. Only project files name columns: the browser sends the text and nothing else.
 */
export function searchSources(project: Project, viewer: Viewer): SearchSource[] {
  const dashboards = [...project.dashboards.values()]
    .filter((d) => d.roles.includes(viewer.role))
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  const seen = new Set<string>();
  const sources: SearchSource[] = [];
  for (const dashboard of dashboards)
    for (const filter of dashboard.filters) {
      if (!filter.search || (filter.type !== 'multi_select' && filter.type !== 'text')) continue;
      const dataset = filter.optionsFrom;
      const column = filter.columns[dataset] ?? filter.column;
      const key = JSON.stringify([dataset, column]);
      if (seen.has(key)) continue;
      seen.add(key);
      sources.push({ dashboard, filter, dataset, column });
    }
  return sources.slice(0, MAX_SEARCH_SOURCES);
}

/**
 * Values containing `q` (case-insensitive; `%`, `_` and `\` match themselves — the engines' escaped
 * contains), read as the viewer's tenant through the runner like any widget: bounded rows, the
 * query timeout, the fair share. Exact matches first, then prefixes, then the most frequent.
 */
export async function search(
  project: Project,
  runner: QueryRunner,
  input: SearchInput,
): Promise<SearchResponse> {
  const q = input.q.split('\u0000').join('').trim();
  if (!q) return { query: q, hits: [], more: false };
  const locale = input.locale ?? DEFAULT_LOCALE;
  const sources = searchSources(project, input.viewer);
  let more = false;
  const found = await Promise.all(
    sources.map(async (s): Promise<SearchHit[]> => {
      const { result } = await runner.run(
        {
          kind: 'aggregate',
          dataset: s.dataset,
          tenant: input.viewer.tenant,
          dimensions: [{ column: s.column }],
          measures: ['count'],
          filters: [
            { kind: 'null', column: s.column, negate: true },
            { kind: 'contains', columns: [s.column], text: q },
          ],
          sort: [{ key: 'count', direction: 'desc' }],
          // One more than kept tells whether the list was cut.
          limit: SEARCH_HITS_PER_FILTER + 1,
        },
        { signal: input.signal, user: input.viewer.user },
      );
      if (result.rows.length > SEARCH_HITS_PER_FILTER) more = true;
      return result.rows.slice(0, SEARCH_HITS_PER_FILTER).map((r) => ({
        dashboard: s.dashboard.id,
        dashboardTitle: pickTitle(s.dashboard.title, locale),
        filter: s.filter.id,
        filterLabel: pickTitle(s.filter.label, locale),
        value: String(r[0]),
        count: Number(r[1] ?? 0),
      }));
    }),
  );
  const needle = q.toLowerCase();
  const rank = (h: SearchHit) => {
    const v = h.value.toLowerCase();
    return v === needle ? 0 : v.startsWith(needle) ? 1 : 2;
  };
  // Array.prototype.sort is stable: within a rank, dashboard order and then frequency stay.
  const hits = found.flat().sort((a, b) => rank(a) - rank(b) || b.count - a.count);
  if (hits.length > MAX_SEARCH_HITS) more = true;
  return { query: q, hits: hits.slice(0, MAX_SEARCH_HITS), more };
}
