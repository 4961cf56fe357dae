import type { Cell, WidgetDataRequest, WidgetDataResponse } from '../../contract/index.js';
import { LRUCache } from 'lru-cache';
import type { RequestSignal } from '../cache/cached-query.js';
import type { Dashboard, Project, ResolvedDataWidget } from '../config/project/project.types.js';
import { isDataWidget } from '../config/project/project.schema.js';
import { TrellisError } from '../errors.js';
import { boundChartRows } from './chart-bounds.js';
import { getDashboard } from './dashboards.service.js';
import { checkFilterValues, planFiltersFor } from './filter-values.js';
import { cacheability, type Cacheability } from './cacheability.js';
import type { PreparedQuery, QueryRunner, RunResult } from './query-runner.js';
import type { Viewer } from './viewer.js';
import { widgetQuery, type WidgetQuery } from './widget-plans.js';

export interface WidgetDataInput {
  readonly dashboard: string;
  readonly widget: string;
  readonly request: WidgetDataRequest;
  /** From the session: which dashboards exist for them and whose rows they read. */
  readonly viewer: Viewer;
  readonly signal?: RequestSignal;
}

/** A widget's data and what HTTP caching needs to know about it. */
export interface WidgetDataResult {
  readonly body: WidgetDataResponse;
  readonly cacheability: Cacheability;
}

/** Everything about a request that does not depend on the data: resolved, checked, planned, compiled. */
interface PreparedWidget {
  readonly widget: ResolvedDataWidget;
  readonly q: WidgetQuery;
  readonly main: PreparedQuery;
  readonly count: PreparedQuery | undefined;
  /** JSON of the response's tag parts (tenant, dashboard, widget, request): the ETag's identity. */
  readonly tagIdentity: string;
}

/** One widget's data for a set of filter values: resolve, check, plan, run, present. */
export async function widgetData(
  project: Project,
  runner: QueryRunner,
  input: WidgetDataInput,
): Promise<WidgetDataResult> {
  // Which dashboards exist depends on the role: checked on every request, never remembered.
  const dashboard = getDashboard(project, input.dashboard, input.viewer);
  const {
    widget,
    q,
    main: mainQuery,
    count: countQuery,
    tagIdentity,
  } = prepareWidget(project, runner, dashboard, input);
  const context = {
    signal: input.signal,
    user: input.viewer.user,
    // Refresh now bypasses the cache for editors and admins; a viewer asking is served as usual.
    ...(input.request.refresh && canRefresh(input.viewer) ? { freshAfter: Date.now() } : {}),
  };
  const [main, count] = await Promise.all([
    runner.runPrepared(mainQuery, context),
    countQuery ? runner.runPrepared(countQuery, context) : undefined,
  ]);
  const runs = count ? [main, count] : [main];
  const bounded =
    widget.type === 'histogram'
      ? { rows: fillBins(main.result.rows, widget.bins) }
      : boundChartRows(widget, main.result.rows);
  const rows = bounded.rows;
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
      ...waitMs(runs),
      rowCount: rows.length,
      asOf: new Date(Math.min(...runs.map((r) => r.asOf))).toISOString(),
      cache: main.cache,
      stale: runs.some((r) => r.stale),
      description: describe(widget, rows.length),
      ...(bounded.notice ? { notice: bounded.notice } : {}),
    },
  };
  return { body, cacheability: cacheability(runs, tagIdentity) };
}

/**
 * Resolves, checks, plans and compiles a widget request, remembered per runner by (tenant,
 * dashboard, widget, request body): a repeated request — every cache hit — skips planning and
 * compiling. None of that depends on the data, so nothing here can go stale: the dataset's version
 * (invalidation) is read on every run, and a runner lives with one project, so a new project (a
 * restart with changed files) starts with an empty memo. Refused requests (unknown widget, bad filter
 * values) throw before anything is remembered.
 */
function prepareWidget(
  project: Project,
  runner: QueryRunner,
  dashboard: Dashboard,
  input: WidgetDataInput,
): PreparedWidget {
  // The tenant is part of the tag: after signing in to another organisation in the same browser, a
  // tag from the first one must not earn a 304 for the second one's (different) rows.
  const identity = JSON.stringify([input.viewer.tenant, dashboard.id, input.widget, input.request]);
  const memo = memoFor(project, runner);
  const known = memo.get(identity);
  if (known) return known;
  const widget = dashboard.widgets.find((w) => w.id === input.widget);
  if (!widget || !isDataWidget(widget))
    throw new TrellisError('WIDGET_NOT_FOUND', {
      message: `Dashboard "${dashboard.id}" has no data widget "${input.widget.slice(0, 100)}".`,
    });
  const checked = checkFilterValues(dashboard, input.request.filters ?? {});
  const dataset = project.datasets.get(widget.dataset);
  if (!dataset) throw new Error(`widget ${widget.id}: dataset ${widget.dataset} vanished after loading`);
  const q = widgetQuery(widget, dataset, planFiltersFor(widget, dataset, checked), input.viewer.tenant, {
    page: input.request.page,
    sort: input.request.sort,
    drill: input.request.drill,
  });
  const prepared: PreparedWidget = {
    widget,
    q,
    main: runner.prepare(q.plan),
    count: q.countPlan ? runner.prepare(q.countPlan) : undefined,
    tagIdentity: identity,
  };
  memo.set(identity, prepared, { size: preparedSize(identity, prepared) });
  return prepared;
}

/**
 * Characters remembered per runner (identities and SQL; about 8 MB at most): thousands of distinct
 * filter states, while a key larger than a tenth of it is never stored.
 */
export const PREPARED_MEMO_CHARS = 4_000_000;

const memos = new WeakMap<QueryRunner, { project: Project; memo: LRUCache<string, PreparedWidget> }>();

function memoFor(project: Project, runner: QueryRunner): LRUCache<string, PreparedWidget> {
  const known = memos.get(runner);
  if (known?.project === project) return known.memo;
  const memo = new LRUCache<string, PreparedWidget>({
    maxSize: PREPARED_MEMO_CHARS,
    maxEntrySize: PREPARED_MEMO_CHARS / 10,
  });
  memos.set(runner, { project, memo });
  return memo;
}

function preparedSize(identity: string, p: PreparedWidget): number {
  let size = identity.length + p.main.query.sql.length + 200;
  if (p.count) size += p.count.query.sql.length;
  return size;
}

/** Who may make the server read a source again on demand ("refresh now"): editors and admins. */
export function canRefresh(viewer: Viewer): boolean {
  return viewer.role === 'editor' || viewer.role === 'admin';
}

/** Time spent in the engine for this response: only runs that executed here count. */
function engineMs(runs: readonly RunResult[]): number {
  let ms = 0;
  for (const r of runs) if (r.cache === 'miss' || r.cache === 'live') ms += r.result.elapsedMs;
  return Math.round(ms * 10) / 10;
}

/** The longest wait for a slot among the statements that ran (they run side by side). */
function waitMs(runs: readonly RunResult[]): { waitMs?: number } {
  let ms: number | undefined;
  for (const r of runs)
    if ((r.cache === 'miss' || r.cache === 'live') && r.result.waitedMs !== undefined)
      ms = Math.max(ms ?? 0, r.result.waitedMs);
  return ms === undefined ? {} : { waitMs: Math.round(ms * 10) / 10 };
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
