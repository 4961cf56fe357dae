import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import {
  axisStyle,
  baseOption,
  bottomCategoryLabels,
  DEFAULT_CONTEXT,
  dimensionColumns,
  escapeHtml,
  grid,
  measureColumns,
  valueAxis,
} from './chart-common.js';
import { categoryLabel, formatNumber } from './value-format.js';
import { chartWords } from './chart-words.js';

/**
 * Rows [group?, low, q1, median, q3, high, n] → one box per group. The five numbers come from the
 * server (the engine's quantiles); this only draws them. Whiskers reach the minimum and maximum.
 */
export function buildBoxplotChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style } = ctx;
  const dim = dimensionColumns(data)[0];
  const stats = measureColumns(data);
  const value = stats[0];
  const di = dim ? data.columns.indexOf(dim) : -1;
  const idx = stats.map((c) => data.columns.indexOf(c));
  const words = chartWords().boxplot;
  const labels = data.rows.map((r) => (di === -1 ? words.all : categoryLabel(r[di] ?? null)));
  const boxes = data.rows.map((r) => idx.slice(0, 5).map((i) => (typeof r[i] === 'number' ? r[i] : 0)));
  const counts = data.rows.map((r) => r[idx[5] ?? -1]);
  const base = baseOption(style);
  const axis = axisStyle(style);
  const fmt = (v: unknown) => (typeof v === 'number' ? formatNumber(v, value?.format, 'full') : '—');
  return {
    ...base,
    grid: grid({ top: 16, bottom: 8 }),
    tooltip: {
      ...base.tooltip,
      trigger: 'item',
      formatter: (p: unknown) => {
        const i = (p as { dataIndex?: number }).dataIndex ?? 0;
        const b = boxes[i] ?? [];
        const t = words;
        return (
          `<b>${escapeHtml(labels[i] ?? '')}</b><br/>${t.max}: ${fmt(b[4])}<br/>${t.q3}: ${fmt(b[3])}<br/>` +
          `${t.median}: <b>${fmt(b[2])}</b><br/>${t.q1}: ${fmt(b[1])}<br/>${t.min}: ${fmt(b[0])}<br/>` +
          `${t.count}: ${fmt(counts[i])}`
        );
      },
    },
    xAxis: {
      type: 'category',
      data: labels,
      ...axis,
      axisLabel: { ...axis.axisLabel, ...bottomCategoryLabels(labels, ctx.width) },
      splitLine: { show: false },
    },
    yAxis: valueAxis(style, value),
    series: [
      {
        type: 'boxplot',
        name: widget.title,
        data: boxes,
        itemStyle: {
          color: style.scheme === 'dark' ? '#1F4E79' : '#BBD8EE',
          borderColor: style.palette[4] ?? style.text,
          borderWidth: 1.5,
        },
      },
    ],
  };
}
