import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import {
  baseOption,
  compactFor,
  DEFAULT_CONTEXT,
  dimensionColumns,
  escapeHtml,
  grid,
  measureColumns,
  valueAxis,
} from './chart-common.js';
import { categoryLabel, formatNumber } from './value-format.js';

/** Rows [label, x measure, y measure] → one point per row, named in the tooltip. */
export function buildScatterChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style } = ctx;
  const label = dimensionColumns(data)[0];
  const [xCol, yCol] = measureColumns(data);
  const li = label ? data.columns.indexOf(label) : -1;
  const xi = xCol ? data.columns.indexOf(xCol) : -1;
  const yi = yCol ? data.columns.indexOf(yCol) : -1;
  const points: [number, number, string][] = [];
  for (const row of data.rows) {
    const x = row[xi];
    const y = row[yi];
    if (typeof x === 'number' && typeof y === 'number')
      points.push([x, y, categoryLabel(li === -1 ? null : (row[li] ?? null))]);
  }
  const base = baseOption(style);

  return {
    ...base,
    grid: grid({ left: 8, bottom: 4, top: 16, right: 24, withAxisNames: true }),
    tooltip: {
      ...base.tooltip,
      trigger: 'item',
      formatter: (p: unknown) => {
        const value = (p as { value?: unknown }).value;
        if (!Array.isArray(value)) return '';
        const [x, y, name] = value as [number, number, string];
        return [
          `<b>${escapeHtml(name)}</b>`,
          `${escapeHtml(xCol?.label ?? 'x')}: ${formatNumber(x, xCol?.format)}`,
          `${escapeHtml(yCol?.label ?? 'y')}: ${formatNumber(y, yCol?.format)}`,
        ].join('<br/>');
      },
    },
    xAxis: {
      ...valueAxis(style, xCol, { name: xCol?.label, mode: compactFor(points.map((p) => p[0])) }),
      scale: true,
      nameGap: 28,
    },
    yAxis: {
      ...valueAxis(style, yCol, { name: yCol?.label, mode: compactFor(points.map((p) => p[1])) }),
      scale: true,
      nameGap: 40,
    },
    series: [
      {
        type: 'scatter',
        name: widget.title,
        data: points,
        symbolSize: 9,
        itemStyle: { opacity: 0.7, borderColor: style.palette[0], borderWidth: 0.5 },
        emphasis: { focus: 'self', scale: 1.6 },
      },
    ],
  };
}
