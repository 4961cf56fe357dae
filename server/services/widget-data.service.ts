import type { Cell, WidgetDataRequest, WidgetDataResponse } from '../../contract/index.js';
import type { Project, ResolvedDataWidget } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import { getDashboard } from './dashboards.service.js';
import { checkFilterValues, planFiltersFor } from './filter-values.js';
import type { QueryRunner } from './query-runner.js';
import { widgetQuery } from './widget-plans.js';

export interface WidgetDataInput {
  readonly dashboard: string;
  readonly widget: string;
  readonly request: WidgetDataRequest;
  readonly signal?: AbortSignal;
}

/** One widget's data for a set of filter values: resolve, check, plan, run, present. */
export async function widgetData(
  project: Project,
  runner: QueryRunner,
  input: WidgetDataInput,
): Promise<WidgetDataResponse> {
  const dashboard = getDashboard(project, input.dashboard);
  const widget = dashboard.widgets.find((w) => w.id === input.widget);
  if (!widget || widget.type === 'text')
    throw new TrellisError('WIDGET_NOT_FOUND', {
      message: `Dashboard "${dashboard.id}" has no data widget "${input.widget.slice(0, 100)}".`,
    });
  const checked = checkFilterValues(dashboard, input.request.filters ?? {});
  const dataset = project.datasets.get(widget.dataset);
  if (!dataset) throw new Error(`widget ${widget.id}: dataset ${widget.dataset} vanished after loading`);
  const q = widgetQuery(widget, dataset, planFiltersFor(widget, dataset, checked), {
    page: input.request.page,
    sort: input.request.sort,
  });

  const asOf = new Date().toISOString();
  const [result, count] = await Promise.all([
    runner.run(q.plan, input.signal),
    q.countPlan ? runner.run(q.countPlan, input.signal) : undefined,
  ]);
  const rows = widget.type === 'histogram' ? fillBins(result.rows, widget.bins) : result.rows;
  const total = count ? Number(count.rows[0]?.[0] ?? 0) : undefined;
  return {
    widget: widget.id,
    columns: q.columns,
    rows,
    ...(total !== undefined ? { total } : {}),
    ...(q.page ? { page: q.page } : {}),
    ...(q.sort ? { sort: q.sort } : {}),
    meta: {
      queryMs: Math.round((result.elapsedMs + (count?.elapsedMs ?? 0)) * 10) / 10,
      rowCount: rows.length,
      asOf,
      description: describe(widget, rows.length),
    },
  };
}

/** Histogram queries return only non-empty bins; charts want every bin, empty ones as zero. */
function fillBins(rows: Cell[][], bins: number): Cell[][] {
  if (rows.length === 0) return rows;
  const byBin = new Map(rows.map((r) => [Number(r[0]), r]));
  const first = rows[0];
  const lo = Number(first?.[1]);
  const width = Number(first?.[2]) - lo;
  const out: Cell[][] = [];
  for (let b = 0; b < bins; b++) {
    out.push(byBin.get(b) ?? [b, lo + b * width, lo + (b + 1) * width, 0]);
    if (width === 0) break; // all values equal: one bin says it all
  }
  return out;
}

function describe(widget: ResolvedDataWidget, rowCount: number): string {
  return `${widget.title}: ${rowCount} ${rowCount === 1 ? 'row' : 'rows'}.`;
}
