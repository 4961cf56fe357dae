import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { baseOption, compactFor, DEFAULT_CONTEXT, escapeHtml, grid, valueAxis } from './chart-common.js';
import { formatNumber } from './value-format.js';

/**
 * Rows [bin, bin_start, bin_end, count] → touching bars on a real number line. Bins are centred on
 * their midpoints on a value axis, so ticks fall on round numbers (0, 500, 1,000) whatever the bin
 * edges are (49.95, 99.9…), and the axis's nice extent covers every bin; the tooltip gives each
 * bin's exact range.
 */
export function buildHistogramChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style } = ctx;
  const [, startCol, endCol, countCol] = data.columns;
  const bins = data.rows
    .map((row) => ({ start: row[1], end: row[2], count: row[3] }))
    .filter(
      (b): b is { start: number; end: number; count: number } =>
        typeof b.start === 'number' && typeof b.end === 'number' && typeof b.count === 'number',
    )
    .sort((a, b) => a.start - b.start);
  const edgeFormat = startCol?.format ?? endCol?.format;
  // Bin edges are rarely round; one decimal more than the format shows keeps ranges distinct.
  const edge = (v: number) => formatNumber(v, edgeFormat === 'integer' ? 'decimal' : edgeFormat);
  const base = baseOption(style);

  return {
    ...base,
    grid: grid({ bottom: 4, withAxisNames: true }),
    tooltip: {
      ...base.tooltip,
      trigger: 'item',
      formatter: (p: unknown) => {
        const i = (p as { dataIndex?: number }).dataIndex ?? -1;
        const bin = bins[i];
        if (!bin) return '';
        return `${escapeHtml(edge(bin.start))} – ${escapeHtml(edge(bin.end))}: <b>${formatNumber(bin.count, countCol?.format)}</b>`;
      },
    },
    xAxis: {
      ...valueAxis(style, startCol, {
        name: startCol?.label.replace(/\s+from$/i, '') ?? '',
        mode: compactFor(bins.map((b) => b.end)),
      }),
      nameGap: 26,
      splitLine: { show: false },
    },
    yAxis: valueAxis(style, countCol, { mode: compactFor(bins.map((b) => b.count)) }),
    series: [
      {
        type: 'bar',
        name: countCol?.label ?? widget.title,
        data: bins.map((b) => [(b.start + b.end) / 2, b.count]),
        // On a value axis ECharts sizes bars from the gap between neighbouring points (one bin).
        barWidth: '94%',
      },
    ],
  };
}
