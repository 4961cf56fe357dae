import type { ResultColumn, SortSpec, ValueFormat } from '../../contract/index.js';
import type { Dataset, ResolvedDataWidget } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import { drillStep } from './drill-path.js';
import type {
  AggregatePlan,
  CountPlan,
  PlanDimension,
  PlanFilter,
  PlanSort,
  QueryPlan,
  TenantId,
} from '../query/plan.js';
import { BOXPLOT_KEYS } from '../query/plan.js';

/** What a widget asks of its dataset: the main plan, a count for paged tables, the column metadata. */
export interface WidgetQuery {
  readonly plan: QueryPlan;
  readonly countPlan?: CountPlan;
  readonly columns: ResultColumn[];
  readonly page?: { offset: number; limit: number };
  readonly sort?: SortSpec;
}

export interface WidgetRequestOptions {
  readonly page?: { offset: number; limit: number } | undefined;
  readonly sort?: SortSpec | undefined;
  /** A drill-down path (drill-path.ts): only for widgets that declare `drill:`. */
  readonly drill?: readonly string[] | undefined;
}

/**
 * Turns a widget definition plus checked filters into a query plan. Everything named here comes
 * from the project files; from the request only filter values (already in `filters`), a page and a
 * sort column that must be one the widget declares sortable.
 */
export function widgetQuery(
  widget: ResolvedDataWidget,
  ds: Dataset,
  filters: PlanFilter[],
  /** The session's tenant: every plan carries it, and the compiler scopes tenant datasets by it. */
  tenant: TenantId,
  req: WidgetRequestOptions,
): WidgetQuery {
  if (widget.type !== 'table' && (req.page || req.sort))
    throw new TrellisError('PAGINATION_NOT_SUPPORTED', {
      message: `Widget "${widget.id}" is a ${widget.type}; only tables can be paged or sorted.`,
    });
  if (
    req.drill?.length &&
    !((widget.type === 'bar' || widget.type === 'line' || widget.type === 'area') && widget.drill?.levels)
  )
    throw new TrellisError('DRILL_INVALID', { message: `Widget "${widget.id}" does not drill down.` });
  const dim = (column: string, grain?: PlanDimension['grain']): PlanDimension =>
    grain ? { column, grain } : { column };
  const base = { dataset: ds.id, tenant, filters };
  switch (widget.type) {
    case 'kpi':
      return aggregate(ds, {
        ...base,
        kind: 'aggregate',
        dimensions: [],
        measures: [widget.measure],
        sort: [],
      });
    case 'bar':
    case 'line':
    case 'area': {
      // A drilled chart shows the next level's grain inside the chosen period.
      const step = widget.drill?.levels
        ? drillStep(widget.drill.levels, widget.dimension, ds, req.drill ?? [])
        : undefined;
      const grain = step?.grain ?? widget.grain;
      const dims = [dim(widget.dimension, grain), ...(widget.series ? [dim(widget.series)] : [])];
      // Time series read left to right; categories read largest first unless the file says otherwise.
      const timeAxis = grain !== undefined || isTime(ds, widget.dimension);
      const sort: PlanSort[] = widget.sort
        ? [{ key: widget.sort.by, direction: widget.sort.direction }]
        : timeAxis
          ? [{ key: widget.dimension, direction: 'asc' }]
          : [{ key: widget.measures[0] ?? 'count', direction: 'desc' }];
      return aggregate(
        ds,
        {
          ...base,
          ...(step ? { filters: [...filters, ...step.filters] } : {}),
          kind: 'aggregate',
          dimensions: dims,
          measures: widget.measures,
          sort,
          ...(widget.limit ? { limit: widget.limit } : {}),
        },
        grain,
      );
    }
    case 'pie':
    case 'donut':
      return aggregate(ds, {
        ...base,
        kind: 'aggregate',
        dimensions: [dim(widget.dimension)],
        measures: [widget.measure],
        sort: [{ key: widget.measure, direction: 'desc' }],
        limit: widget.limit,
      });
    case 'scatter':
      return aggregate(ds, {
        ...base,
        kind: 'aggregate',
        dimensions: [dim(widget.dimension)],
        measures: [widget.x, widget.y],
        sort: [{ key: widget.y, direction: 'desc' }],
        limit: widget.limit,
      });
    case 'heatmap':
      return aggregate(
        ds,
        {
          ...base,
          kind: 'aggregate',
          dimensions: [dim(widget.x, widget.x_grain), dim(widget.y)],
          measures: [widget.measure],
          sort: [{ key: widget.x, direction: 'asc' }],
          limit: widget.limit,
        },
        widget.x_grain,
      );
    case 'histogram': {
      const col = ds.columns.get(widget.column);
      const label = col?.label ?? widget.column;
      return {
        plan: { ...base, kind: 'histogram', column: widget.column, bins: widget.bins },
        columns: [
          { key: 'bin', label: 'Bin', type: 'number', role: 'dimension', format: 'integer' },
          {
            key: 'bin_start',
            label: `${label} from`,
            type: 'number',
            role: 'dimension',
            ...(col?.format ? { format: col.format } : {}),
          },
          {
            key: 'bin_end',
            label: `${label} to`,
            type: 'number',
            role: 'dimension',
            ...(col?.format ? { format: col.format } : {}),
          },
          { key: 'count', label: 'Count', type: 'number', role: 'measure', format: 'integer' },
        ],
      };
    }
    case 'table':
      return tableQuery(widget, ds, base, req);
    case 'boxplot':
      return boxplotQuery(widget, ds, base);
    case 'gauge':
      return aggregate(ds, {
        ...base,
        kind: 'aggregate',
        dimensions: [],
        measures: [widget.measure],
        sort: [],
      });
    case 'funnel':
      return aggregate(ds, {
        ...base,
        kind: 'aggregate',
        dimensions: [dim(widget.dimension)],
        measures: [widget.measure],
        sort: [
          widget.sort
            ? { key: widget.sort.by, direction: widget.sort.direction }
            : { key: widget.measure, direction: 'desc' },
        ],
        limit: widget.limit,
      });
    case 'calendar':
      // The latest days are kept when there are more than the limit.
      return aggregate(
        ds,
        {
          ...base,
          kind: 'aggregate',
          dimensions: [dim(widget.dimension, 'day')],
          measures: [widget.measure],
          sort: [{ key: widget.dimension, direction: 'desc' }],
          limit: widget.limit,
        },
        'day',
      );
    case 'sankey':
    case 'graph':
      // The strongest links first; one more than the bound is asked for, to tell a cut (chart-bounds.ts).
      return aggregate(ds, {
        ...base,
        kind: 'aggregate',
        dimensions: [dim(widget.source), dim(widget.target)],
        measures: [widget.value],
        sort: [{ key: widget.value, direction: 'desc' }],
        limit: widget.max_links + 1,
      });
    case 'map':
    case 'floorplan':
      return aggregate(ds, {
        ...base,
        kind: 'aggregate',
        dimensions: [dim(widget.dimension)],
        measures: [widget.measure],
        sort: [{ key: widget.measure, direction: 'desc' }],
        limit: widget.limit + 1,
      });
  }
}

function boxplotQuery(
  widget: Extract<ResolvedDataWidget, { type: 'boxplot' }>,
  ds: Dataset,
  base: { readonly dataset: string; readonly tenant: TenantId; readonly filters: PlanFilter[] },
): WidgetQuery {
  const col = ds.columns.get(widget.column);
  const label = col?.label ?? widget.column;
  const format = col?.format ? { format: col.format } : {};
  const stat = (key: string, name: string): ResultColumn => ({
    key,
    label: `${label}: ${name}`,
    type: 'number',
    role: 'measure',
    ...format,
  });
  const [low, q1, median, q3, high, n] = BOXPLOT_KEYS;
  return {
    plan: {
      ...base,
      kind: 'boxplot',
      column: widget.column,
      ...(widget.dimension ? { dimension: widget.dimension } : {}),
      // One more than is shown: the extra row tells that groups were cut (chart-bounds.ts).
      limit: widget.limit + 1,
    },
    columns: [
      ...(widget.dimension ? [columnMeta(ds, widget.dimension, 'dimension')] : []),
      stat(low, 'minimum'),
      stat(q1, 'lower quartile'),
      stat(median, 'median'),
      stat(q3, 'upper quartile'),
      stat(high, 'maximum'),
      { key: n, label: 'Count', type: 'number', role: 'measure', format: 'integer' },
    ],
  };
}

function tableQuery(
  widget: Extract<ResolvedDataWidget, { type: 'table' }>,
  ds: Dataset,
  base: { readonly dataset: string; readonly tenant: TenantId; readonly filters: PlanFilter[] },
  req: WidgetRequestOptions,
): WidgetQuery {
  const keys = widget.columns ?? [...(widget.dimensions ?? []), ...(widget.measures ?? [])];
  const sortable = widget.sortable ?? keys;
  if (req.sort && !sortable.includes(req.sort.column))
    throw new TrellisError('SORT_NOT_ALLOWED', {
      message: `Widget "${widget.id}" cannot be sorted by "${req.sort.column.slice(0, 100)}". Sortable: ${sortable.join(', ')}.`,
      issues: [{ path: 'sort.column', message: 'not a sortable column of this table' }],
    });
  const sort: SortSpec | undefined =
    req.sort ?? (widget.sort ? { column: widget.sort.by, direction: widget.sort.direction } : undefined);
  const planSort: PlanSort[] = sort ? [{ key: sort.column, direction: sort.direction }] : [];
  const page = req.page ?? { offset: 0, limit: widget.page_size };
  if (widget.columns) {
    return {
      plan: {
        ...base,
        kind: 'rows',
        columns: widget.columns,
        sort: planSort,
        limit: page.limit,
        offset: page.offset,
      },
      countPlan: { ...base, kind: 'count' },
      columns: widget.columns.map((c) => columnMeta(ds, c, 'value')),
      page,
      ...(sort ? { sort } : {}),
    };
  }
  const dimensions = (widget.dimensions ?? []).map((column) => ({ column }));
  const measures = widget.measures ?? [];
  const q = aggregate(ds, {
    ...base,
    kind: 'aggregate',
    dimensions,
    measures,
    sort: planSort,
    limit: page.limit,
    offset: page.offset,
  });
  return {
    ...q,
    countPlan: { ...base, kind: 'count', groupBy: dimensions },
    page,
    ...(sort ? { sort } : {}),
  };
}

function aggregate(ds: Dataset, plan: AggregatePlan, grain?: string): WidgetQuery {
  return {
    plan,
    columns: [
      ...plan.dimensions.map((d, i) => {
        const meta = columnMeta(ds, d.column, 'dimension');
        // The first dimension carries the grain; its values are period starts.
        if (i === 0 && grain) return { ...meta, type: 'date' as const, format: grainFormat(grain) };
        return meta;
      }),
      ...plan.measures.map((m) => {
        const measure = ds.measures.get(m);
        return {
          key: m,
          label: measure?.label ?? m,
          type: 'number' as const,
          role: 'measure' as const,
          format: measure?.format ?? 'number',
        };
      }),
    ],
  };
}

export function columnMeta(ds: Dataset, name: string, role: ResultColumn['role']): ResultColumn {
  const col = ds.columns.get(name);
  if (col)
    return {
      key: name,
      label: col.label,
      type: col.type,
      role,
      ...(col.format ? { format: col.format } : {}),
    };
  const measure = ds.measures.get(name);
  return {
    key: name,
    label: measure?.label ?? name,
    type: 'number',
    role: 'measure',
    format: measure?.format ?? 'number',
  };
}

function grainFormat(grain: string): ValueFormat {
  return grain === 'month' || grain === 'quarter' || grain === 'year' ? 'month' : 'date';
}

function isTime(ds: Dataset, column: string): boolean {
  const t = ds.columns.get(column)?.type;
  return t === 'date' || t === 'timestamp';
}
