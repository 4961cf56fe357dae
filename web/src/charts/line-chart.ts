import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { buildCartesian } from './cartesian-chart.js';
import { DEFAULT_CONTEXT } from './chart-common.js';

/** Beyond this many points, markers only add noise; the axis pointer finds the values. */
export const MAX_POINTS_WITH_SYMBOLS = 40;

/** Rows [period or category, (series)?, measure…] → lines; gaps stay gaps (connectNulls off). */
export function buildLineChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  return buildCartesian(widget, data, ctx, {
    horizontal: false,
    boundaryGap: false,
    pointer: 'line',
    series: (_s, _pivot, labels) => ({
      type: 'line',
      showSymbol: labels.length <= MAX_POINTS_WITH_SYMBOLS,
      symbolSize: 5,
      connectNulls: false,
      lineStyle: { width: 2 },
      emphasis: { focus: 'series' },
    }),
  });
}
