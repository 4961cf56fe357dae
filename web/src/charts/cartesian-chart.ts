import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption, SeriesOption } from './chart-types.js';
import {
  axisStyle,
  baseOption,
  bottomCategoryLabels,
  compactFor,
  grid,
  isTemporal,
  periodLabeler,
  tooltipFormatter,
  valueAxis,
} from './chart-common.js';
import { pivotRows, type Pivot, type PivotSeries } from './series-pivot.js';
import { categoryLabel, type FormatMode } from './value-format.js';

/** What a bar, line or area file decides; everything else about the chart is shared here. */
export interface CartesianSpec {
  readonly horizontal: boolean;
  /** Bars sit between ticks; lines start on the axis. */
  readonly boundaryGap: boolean;
  readonly pointer: 'shadow' | 'line';
  /** Extra room on the value side (for value labels at the end of bars). */
  readonly valueSideRoom?: number;
  readonly series: (
    s: PivotSeries,
    pivot: Pivot,
    labels: readonly string[],
    mode: FormatMode,
  ) => SeriesOption;
}

/** Category names beside horizontal bars get at most 30% of a narrow chart, 150px of a wide one. */
export function sideLabelWidth(width: number | undefined): number {
  return width === undefined ? 150 : Math.max(70, Math.min(150, Math.round(width * 0.3)));
}

/**
 * Bars, lines and areas share pivoting ([category, (series)?, measure…] → one series per measure
 * or per series value), period labels, formatted value axes, the legend and the tooltip.
 */
export function buildCartesian(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext,
  spec: CartesianSpec,
): EChartsOption {
  const { style } = ctx;
  const stacked = !!widget.stacked;
  const pivot = pivotRows(data, { fillZero: stacked });
  const periodLabel = periodLabeler(pivot.category, pivot.categories);
  const labels = pivot.categories.map((c) => (c !== null && periodLabel ? periodLabel(c) : categoryLabel(c)));
  const multi = pivot.series.length > 1;
  // One measure drives the value axis; with several of different formats the first one wins.
  const axisMeasure = pivot.series[0]?.measure;
  // Stacks reach the sum of their parts; the axis format must suit the top of the stack.
  const mode = compactFor(
    stacked
      ? labels.map((_, i) => pivot.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0))
      : pivot.series.flatMap((s) => s.values),
  );

  const series = pivot.series.map((s) => ({
    ...spec.series(s, pivot, labels, mode),
    name: s.name,
    data: s.values,
    tooltip: { valueFormatter: tooltipFormatter(s.measure) },
    ...(stacked ? { stack: 'total' } : {}),
  })) as SeriesOption[];

  const base = axisStyle(style);
  const categoryAxis = {
    type: 'category' as const,
    data: labels,
    ...base,
    boundaryGap: spec.boundaryGap,
    // Long names (conditions, sponsors) are cut with an ellipsis; the tooltip shows them whole.
    // Periods thin themselves out (every other year is fine); named categories all get a label.
    axisLabel: {
      ...base.axisLabel,
      ...(spec.horizontal
        ? { width: sideLabelWidth(ctx.width), overflow: 'truncate' as const, interval: 0 }
        : isTemporal(pivot.category)
          ? {}
          : bottomCategoryLabels(labels, ctx.width)),
    },
    splitLine: { show: false },
    // Horizontal bars list the first (largest) row at the top, in reading order.
    ...(spec.horizontal ? { inverse: true } : {}),
  };
  const values = valueAxis(style, axisMeasure, { mode });
  const base0 = baseOption(style);

  return {
    ...base0,
    grid: grid({
      top: multi ? 40 : 16,
      right: spec.horizontal ? 16 + (spec.valueSideRoom ?? 0) : 16,
    }),
    legend: multi
      ? {
          type: 'scroll',
          top: 0,
          textStyle: { color: style.text },
          pageTextStyle: { color: style.mutedText },
          pageIconColor: style.text,
          pageIconInactiveColor: style.axisLine,
        }
      : { show: false },
    tooltip: { ...base0.tooltip, trigger: 'axis', axisPointer: { type: spec.pointer } },
    xAxis: spec.horizontal ? values : categoryAxis,
    yAxis: spec.horizontal ? categoryAxis : values,
    series,
  };
}
