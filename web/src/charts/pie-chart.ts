import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { baseOption, DEFAULT_CONTEXT, dimensionColumns, escapeHtml, measureColumns } from './chart-common.js';
import { categoryLabel, formatNumber } from './value-format.js';

const NARROW_WIDTH = 460;

/** ECharts' slice share (0–100) as the UI's language writes a percentage: 38.1% (en), 38,1 % (de). */
const share = (percent: number | undefined) => formatNumber((percent ?? 0) / 100, 'percent');

/**
 * Rows [category, measure] → a pie, or a ring for `donut`. Slice labels sit outside with their share;
 * ECharts hides labels of slices too thin to label without overlap (the tooltip still has them).
 */
export function buildPieChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style } = ctx;
  const dim = dimensionColumns(data)[0];
  const measure = measureColumns(data)[0];
  const di = dim ? data.columns.indexOf(dim) : -1;
  const mi = measure ? data.columns.indexOf(measure) : -1;
  const slices = data.rows
    .map((row) => ({ name: categoryLabel(di === -1 ? null : (row[di] ?? null)), value: row[mi] }))
    .filter((s): s is { name: string; value: number } => typeof s.value === 'number' && s.value > 0);
  const donut = widget.type === 'donut';
  const base = baseOption(style);
  // Outside labels need ~120px on each side; narrower charts (phones) use a legend underneath.
  const narrow = ctx.width !== undefined && ctx.width < NARROW_WIDTH;

  return {
    ...base,
    // A plain legend wraps onto as many rows as it needs, so every slice stays named.
    legend: narrow
      ? { type: 'plain', bottom: 0, itemGap: 8, itemWidth: 18, textStyle: { color: style.text } }
      : { show: false },
    tooltip: {
      ...base.tooltip,
      trigger: 'item',
      formatter: (p: unknown) => {
        const item = p as { name?: string; value?: unknown; percent?: number };
        const v = typeof item.value === 'number' ? formatNumber(item.value, measure?.format) : '—';
        return `${escapeHtml(item.name ?? '')}: <b>${v}</b> (${share(item.percent)})`;
      },
    },
    series: [
      {
        type: 'pie',
        name: measure?.label ?? widget.title,
        radius: narrow ? (donut ? ['30%', '50%'] : [0, '50%']) : donut ? ['40%', '64%'] : [0, '64%'],
        center: narrow ? ['50%', '36%'] : ['50%', '52%'],
        data: slices,
        avoidLabelOverlap: true,
        minShowLabelAngle: 6,
        itemStyle: { borderColor: style.scheme === 'dark' ? '#1F2933' : '#FFFFFF', borderWidth: 1 },
        label: {
          show: !narrow,
          color: style.text,
          formatter: (p: { name: string; percent?: number }) => `${p.name}\n${share(p.percent)}`,
          // Labels line up along the chart's edges, so none can be cut off by the box.
          alignTo: 'edge',
          edgeDistance: 6,
          width: 110,
          overflow: 'truncate',
          lineHeight: 15,
        },
        labelLine: {
          show: !narrow,
          lineStyle: { color: style.axisLine },
          length: 10,
          length2: 0,
          maxSurfaceAngle: 80,
        },
        labelLayout: { hideOverlap: true },
      },
    ],
  };
}
