import type { Cell, WidgetDataRequest, WidgetDataResponse } from '../../contract/index.js';
import type { Project, ResolvedDataWidget } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import { getDashboard } from './dashboards.service.js';
import { checkFilterValues, planFiltersFor } from './filter-values.js';
import { cacheability, type Cacheability } from './cacheability.js';
import type { QueryRunner, RunResult } from './query-runner.js';
import type { Viewer } from './viewer.js';
import { widgetQuery } from './widget-plans.js';

export interface WidgetDataInput {
  readonly dashboard: string;
  readonly widget: string;
  readonly request: WidgetDataRequest;
  /** From the session: which dashboards exist for them and whose rows they read. */
  readonly viewer: Viewer;
  readonly signal?: AbortSignal;
}

/** A widget's data and what HTTP caching needs to know about it. */
export interface WidgetDataResult {
  readonly body: WidgetDataResponse;
  readonly cacheability: Cacheability;
}

/** One widget's data for a set of filter values: resolve, check, plan, run, present. */
export async function widgetData(
  project: Project,
  runner: QueryRunner,
  input: WidgetDataInput,
): Promise<WidgetDataResult> {
  const dashboard = getDashboard(project, input.dashboard, input.viewer);
  const widget = dashboard.widgets.find((w) => w.id === input.widget);
  if (!widget || widget.type === 'text')
    throw new TrellisError('WIDGET_NOT_FOUND', {
      message: `Dashboard "${dashboard.id}" has no data widget "${input.widget.slice(0, 100)}".`,
    });
  const checked = checkFilterValues(dashboard, input.request.filters ?? {});
  const dataset = project.datasets.get(widget.dataset);
  if (!dataset) throw new Error(`widget ${widget.id}: dataset ${widget.dataset} vanished after loading`);
  const q = widgetQuery(widget, dataset, planFiltersFor(widget, dataset, checked), input.viewer.tenant, {
    page: input.request.page,
    sort: input.request.sort,
  });

  const context = { signal: input.signal };
  const [main, count] = await Promise.all([
    runner.run(q.plan, context),
    q.countPlan ? runner.run(q.countPlan, context) : undefined,
  ]);
  const runs = count ? [main, count] : [main];
  const rows = widget.type === 'histogram' ? fillBins(main.result.rows, widget.bins) : main.result.rows;
  const total = count ? Number(count.result.rows[0]?.[0] ?? 0) : undefined;
  const body: WidgetDataResponse = {
    widget: widget.id,
    columns: q.columns,
    rows,
    ...(total !== undefined ? { total } : {}),
    ...(q.page ? { page: q.page } : {}),
    ...(q.sort ? { sort: q.sort } : {}),
    meta: {
      queryMs: engineMs(runs),
      rowCount: rows.length,
      asOf: new Date(Math.min(...runs.map((r) => r.asOf))).toISOString(),
      cache: main.cache,
      stale: runs.some((r) => r.stale),
      description: describe(widget, rows.length),
    },
  };
  // The tenant is part of the tag: after signing in to another organisation in the same browser, a
  // tag from the first one must not earn a 304 for the second one's (different) rows.
  const tag = [input.viewer.tenant, dashboard.id, widget.id, input.request];
  return { body, cacheability: cacheability(runs, tag) };
}

/** Time spent in the engine for this response: only runs that executed here count. */
function engineMs(runs: readonly RunResult[]): number {
  let ms = 0;
  for (const r of runs) if (r.cache === 'miss' || r.cache === 'live') ms += r.result.elapsedMs;
  return Math.round(ms * 10) / 10;
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
