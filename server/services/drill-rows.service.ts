import type { DrillRowsRequest, WidgetDataResponse } from '../../contract/index.js';
import type { RequestSignal } from '../cache/cached-query.js';
import { drillMarkColumns, type DrillMarkColumn } from '../config/project/drill-marks.js';
import type { Dataset, Project, ResolvedDataWidget } from '../config/project/project.types.js';
import { isDataWidget } from '../config/project/project.schema.js';
import { TrellisError } from '../errors.js';
import type { PlanFilter } from '../query/plan.js';
import { getDashboard } from './dashboards.service.js';
import { drillStep, periodOf } from './drill-path.js';
import { checkFilterValues, planFiltersFor } from './filter-values.js';
import type { QueryRunner } from './query-runner.js';
import type { Viewer } from './viewer.js';
import { columnMeta } from './widget-plans.js';

export interface DrillRowsInput {
  readonly dashboard: string;
  readonly widget: string;
  readonly request: DrillRowsRequest;
  readonly viewer: Viewer;
  readonly signal?: RequestSignal;
}

/**
 * The rows behind one mark of a widget that declares `drill.rows`: the dashboard's filters, the
 * widget's own `where`, the time-hierarchy level it shows and the mark's values, all bound; the
 * columns are the project's. A page at a time (the widget's page_size), with the total.
 */
export async function drillRows(
  project: Project,
  runner: QueryRunner,
  input: DrillRowsInput,
): Promise<WidgetDataResponse> {
  const dashboard = getDashboard(project, input.dashboard, input.viewer);
  const widget = dashboard.widgets.find((w) => w.id === input.widget);
  if (!widget || !isDataWidget(widget))
    throw new TrellisError('WIDGET_NOT_FOUND', {
      message: `Dashboard "${dashboard.id}" has no data widget "${input.widget.slice(0, 100)}".`,
    });
  const rows = widget.drill?.rows;
  if (!rows)
    throw new TrellisError('DRILL_INVALID', {
      message: `Widget "${widget.id}" does not open the rows behind its marks.`,
    });
  const ds = project.datasets.get(widget.dataset);
  if (!ds) throw new Error(`widget ${widget.id}: dataset ${widget.dataset} vanished after loading`);
  const checked = checkFilterValues(dashboard, input.request.filters ?? {});
  const filters = planFiltersFor(widget, ds, checked);
  const levels = widget.drill?.levels;
  let levelGrain: DrillMarkColumn['grain'];
  if (levels && 'dimension' in widget && widget.dimension !== undefined) {
    const step = drillStep(levels, widget.dimension, ds, input.request.drill ?? []);
    filters.push(...step.filters);
    levelGrain = step.grain;
  } else if (input.request.drill?.length) {
    throw new TrellisError('DRILL_INVALID', { message: `Widget "${widget.id}" does not drill down.` });
  }
  filters.push(...markFilters(widget, ds, input.request.mark ?? {}, levelGrain));

  const page = input.request.page ?? { offset: 0, limit: rows.page_size };
  const base = { dataset: ds.id, tenant: input.viewer.tenant, filters };
  const context = { signal: input.signal, user: input.viewer.user };
  const [main, count] = await Promise.all([
    runner.run(
      { ...base, kind: 'rows', columns: rows.columns, sort: [], limit: page.limit, offset: page.offset },
      context,
    ),
    runner.run({ ...base, kind: 'count' }, context),
  ]);
  const result = main.result.rows;
  return {
    widget: widget.id,
    columns: rows.columns.map((c) => columnMeta(ds, c, 'value')),
    rows: result,
    total: Number(count.result.rows[0]?.[0] ?? 0),
    page,
    meta: {
      queryMs: Math.round((main.result.elapsedMs + count.result.elapsedMs) * 10) / 10,
      rowCount: result.length,
      asOf: new Date(Math.min(main.asOf, count.asOf)).toISOString(),
      cache: main.cache,
      stale: main.stale || count.stale,
      description: `${widget.title}: the rows behind the selection, ${result.length} of them on this page.`,
    },
  };
}

/**
 * The mark's values as bound filters. Each key must be a column the widget groups by (anything else
 * is refused, so a request can never filter on a column the project did not put on this widget);
 * each value must fit the column's type; a period's first day becomes the period's range.
 */
function markFilters(
  widget: ResolvedDataWidget,
  ds: Dataset,
  mark: Readonly<Record<string, string | number | boolean | null>>,
  levelGrain: DrillMarkColumn['grain'],
): PlanFilter[] {
  const allowed = new Map(drillMarkColumns(widget, levelGrain).map((m) => [m.column, m]));
  const out: PlanFilter[] = [];
  for (const [key, value] of Object.entries(mark)) {
    const m = allowed.get(key);
    const column = m && ds.columns.get(m.column);
    if (!m || !column) throw invalid(`"${key.slice(0, 100)}" is not a column this widget's marks carry`);
    if (value === null) {
      out.push({ kind: 'null', column: m.column, negate: false });
      continue;
    }
    if (m.grain) {
      const start = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : '';
      const period = start && !Number.isNaN(Date.parse(start)) ? periodRange(m.grain, start) : undefined;
      if (!period) throw invalid(`"${String(value).slice(0, 40)}" does not start a ${m.grain}`);
      const end = column.type === 'timestamp' ? `${period[1]} 23:59:59.999999` : period[1];
      out.push(
        { kind: 'compare', column: m.column, op: '>=', value: period[0] },
        { kind: 'compare', column: m.column, op: '<=', value: end },
      );
      continue;
    }
    out.push({ kind: 'compare', column: m.column, op: '=', value: typed(column.type, value, key) });
  }
  return out;
}

function periodRange(
  grain: NonNullable<DrillMarkColumn['grain']>,
  start: string,
): [string, string] | undefined {
  if (grain !== 'week') return periodOf(grain, start);
  const end = new Date(Date.parse(start) + 6 * 86_400_000).toISOString().slice(0, 10);
  return [start, end];
}

/** A mark value in its column's type: "3" for a number column is 3; "x" for one is refused. */
function typed(type: string, value: string | number | boolean, key: string): string | number | boolean {
  switch (type) {
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      if (typeof value === 'string' && value.trim() === '') break;
      if (Number.isFinite(n)) return n;
      break;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      break;
    case 'date':
    case 'timestamp':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}([ T][\d:.]+)?Z?$/.test(value)) return value;
      break;
    default:
      if (typeof value === 'string' && !value.includes('\0')) return value;
  }
  throw invalid(`the value for "${key.slice(0, 100)}" is not a ${type}`);
}

function invalid(why: string): TrellisError {
  return new TrellisError('DRILL_INVALID', {
    message: `This drill to rows does not fit the widget: ${why}.`,
  });
}
