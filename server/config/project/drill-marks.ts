import type { TIME_GRAINS } from './project.schema.js';
import type { ResolvedDataWidget } from './project.types.js';

type TimeGrain = (typeof TIME_GRAINS)[number];

/** One value a widget's mark carries, and the period grain when the value is a period's first day. */
export interface DrillMarkColumn {
  readonly column: string;
  readonly grain?: TimeGrain;
}

/**
 * The columns a click on one of this widget's marks identifies, for a drill to the rows behind it:
 * every dimension the widget groups by, periods included (a period becomes a range). `levelGrain` is
 * the grain shown at the current level of a time hierarchy (drill.levels), if there is one. A KPI and
 * a histogram have no category: their drill shows every row under the filters.
 */
export function drillMarkColumns(w: ResolvedDataWidget, levelGrain?: TimeGrain): DrillMarkColumn[] {
  const col = (column: string, grain?: TimeGrain): DrillMarkColumn =>
    grain ? { column, grain } : { column };
  switch (w.type) {
    case 'bar':
    case 'line':
    case 'area':
      return [col(w.dimension, levelGrain ?? w.grain), ...(w.series ? [col(w.series)] : [])];
    case 'pie':
    case 'donut':
    case 'scatter':
      return [col(w.dimension)];
    case 'heatmap':
      return [col(w.x, w.x_grain), col(w.y)];
    case 'table':
      return (w.columns ?? w.dimensions ?? []).map((c) => col(c));
    default:
      return [];
  }
}
