import type { Dataset, ResolvedDataWidget, ResolvedFilter } from './project.types.js';

/** One clickable column of a widget and the dashboard filter a click on it sets. */
export interface CrossFilterLink {
  /** A result column key of the widget (a dataset column name). */
  readonly column: string;
  /** The dashboard filter (multi_select) whose values the click sets. */
  readonly filter: string;
}

/**
 * The columns whose values a widget's marks carry as raw dataset values, so a click on a mark can be
 * read as "filter = this value". Period buckets (a `grain`) are not raw values and are left out;
 * histogram bins and KPIs have no category at all.
 */
export function markColumns(w: ResolvedDataWidget): string[] {
  switch (w.type) {
    case 'bar':
    case 'line':
    case 'area':
      return [...(w.grain ? [] : [w.dimension]), ...(w.series ? [w.series] : [])];
    case 'pie':
    case 'donut':
    case 'scatter':
      return [w.dimension];
    case 'heatmap':
      return [...(w.x_grain ? [] : [w.x]), w.y];
    case 'table':
      return w.columns ?? w.dimensions ?? [];
    // The newer charts (issue 14): a box plot's group, a funnel stage, a sankey or
    // graph node (its source or target column), a map or floor-plan region. Their marks are mapped
    // in web/src/charts/chart-marks.ts.
    case 'boxplot':
      return w.dimension ? [w.dimension] : [];
    case 'funnel':
    case 'map':
    case 'floorplan':
      return [w.dimension];
    case 'sankey':
    case 'graph':
      return [w.source, w.target];
    // A calendar's days are dates, and cross-filters set multi_select filters, which need a string
    // column; a day would have to set a date_range filter instead (not done yet).
    case 'calendar':
    case 'kpi':
    case 'histogram':
    case 'gauge':
      return [];
  }
}

/**
 * Which of a widget's columns cross-filter the dashboard. By default every multi_select filter of
 * the dashboard whose column (in this widget's dataset) is one of the widget's mark columns;
 * `cross_filter: false` turns it off, `cross_filter: [ids]` keeps only those filters. Only filter
 * ids and values ever reach the server, so a click can never ask for anything a filter could not.
 */
export function crossFilterLinks(
  w: ResolvedDataWidget,
  ds: Pick<Dataset, 'columns'> | { readonly columns: ReadonlyMap<string, unknown> } | undefined,
  filters: readonly ResolvedFilter[],
): CrossFilterLink[] {
  if (!ds || w.cross_filter === false) return [];
  const columns = new Set(markColumns(w));
  const out: CrossFilterLink[] = [];
  for (const f of filters) {
    if (f.type !== 'multi_select' || w.ignore_filters.includes(f.id)) continue;
    if (Array.isArray(w.cross_filter) && !w.cross_filter.includes(f.id)) continue;
    const column = f.columns[w.dataset] ?? f.column;
    if (columns.has(column) && ds.columns.has(column)) out.push({ column, filter: f.id });
  }
  return out;
}
