import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { buildCartesian } from './cartesian-chart.js';
import { DEFAULT_CONTEXT } from './chart-common.js';
import { formatNumber } from './value-format.js';

/** Above this many bars, printed values would crowd each other; the tooltip still has them. */
const MAX_VALUE_LABELS = 15;

/** Rows [category, (series)?, measure…] → bars, vertical or horizontal, grouped or stacked. */
export function buildBarChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const horizontal = !!widget.horizontal;
  return buildCartesian(widget, data, ctx, {
    horizontal,
    boundaryGap: true,
    pointer: 'shadow',
    valueSideRoom: 40,
    series: (s, pivot, labels, mode) => {
      const valueLabels = pivot.series.length === 1 && labels.length <= MAX_VALUE_LABELS;
      return {
        type: 'bar',
        barMaxWidth: 48,
        ...(valueLabels
          ? {
              label: {
                show: true,
                position: horizontal ? 'right' : 'top',
                color: ctx.style.mutedText,
                formatter: (p: { value: unknown }) =>
                  typeof p.value === 'number' ? formatNumber(p.value, s.measure.format, mode) : '',
              },
            }
          : {}),
      };
    },
  });
}
