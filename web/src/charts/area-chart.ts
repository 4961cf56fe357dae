import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { buildCartesian } from './cartesian-chart.js';
import { DEFAULT_CONTEXT } from './chart-common.js';
import { MAX_POINTS_WITH_SYMBOLS } from './line-chart.js';

/**
 * Rows [period or category, (series)?, measure…] → filled lines. Stacked areas get missing cells as
 * 0 (see pivotRows) so each band sits on the one below; fills are lighter when bands overlap.
 */
export function buildAreaChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const stacked = !!widget.stacked;
  return buildCartesian(widget, data, ctx, {
    horizontal: false,
    boundaryGap: false,
    pointer: 'line',
    series: (_s, _pivot, labels) => ({
      type: 'line',
      // Markers on stacked bands read as noise; the axis pointer lists every band's value.
      showSymbol: !stacked && labels.length <= MAX_POINTS_WITH_SYMBOLS,
      symbolSize: 5,
      lineStyle: { width: stacked ? 1 : 2 },
      areaStyle: { opacity: stacked ? 0.7 : 0.25 },
      emphasis: { focus: 'series' },
    }),
  });
}
