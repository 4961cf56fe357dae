import type { FilterOptionsResponse } from '../../contract/index.js';
import type { Project } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import type { PlanFilter } from '../query/plan.js';
import { getDashboard } from './dashboards.service.js';
import type { RequestSignal } from '../cache/cached-query.js';
import type { QueryRunner } from './query-runner.js';
import type { Viewer } from './viewer.js';

export interface FilterOptionsInput {
  readonly dashboard: string;
  readonly filter: string;
  readonly search?: string | undefined;
  readonly limit: number;
  /** From the session: which dashboards exist for them and whose rows they read. */
  readonly viewer: Viewer;
  readonly signal?: RequestSignal;
}

/** Distinct values of a multi-select filter's column, most frequent first, capped at `limit`. */
export async function filterOptions(
  project: Project,
  runner: QueryRunner,
  input: FilterOptionsInput,
): Promise<FilterOptionsResponse> {
  const dashboard = getDashboard(project, input.dashboard, input.viewer);
  const filter = dashboard.filters.find((f) => f.id === input.filter);
  if (!filter)
    throw new TrellisError('FILTER_NOT_FOUND', {
      message: `Dashboard "${dashboard.id}" has no filter "${input.filter.slice(0, 100)}".`,
    });
  if (filter.type !== 'multi_select') throw new TrellisError('FILTER_HAS_NO_OPTIONS');
  const dataset = project.datasets.get(filter.optionsFrom);
  if (!dataset) throw new Error(`filter ${filter.id}: dataset ${filter.optionsFrom} vanished after loading`);
  const column = filter.columns[dataset.id] ?? filter.column;
  const search = input.search?.split('\u0000').join('').trim();
  const filters: PlanFilter[] = [{ kind: 'null', column, negate: true }];
  if (search) filters.push({ kind: 'contains', columns: [column], text: search });
  const { result } = await runner.run(
    {
      kind: 'aggregate',
      dataset: dataset.id,
      tenant: input.viewer.tenant,
      dimensions: [{ column }],
      measures: ['count'],
      filters,
      sort: [{ key: 'count', direction: 'desc' }],
      // One more than asked tells whether the list was cut.
      limit: input.limit + 1,
    },
    { signal: input.signal, user: input.viewer.user },
  );
  const options = result.rows
    .slice(0, input.limit)
    .map((r) => ({ value: String(r[0]), count: Number(r[1] ?? 0) }));
  return { filter: filter.id, options, more: result.rows.length > input.limit };
}
