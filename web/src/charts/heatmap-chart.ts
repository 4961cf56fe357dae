import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import {
  axisStyle,
  baseOption,
  bottomCategoryLabels,
  compactFor,
  DEFAULT_CONTEXT,
  dimensionColumns,
  escapeHtml,
  estimateTextWidth,
  grid,
  isTemporal,
  measureColumns,
  periodLabeler,
} from './chart-common.js';
import { categoryLabel, formatNumber } from './value-format.js';

/** Cells get their value printed only while there is room for it. */
const MAX_LABELLED_CELLS = 120;

/**
 * Rows [x, y, measure] → a grid of cells coloured on a single-hue ramp (ordered by lightness, so it
 * reads without colour vision too), with the printed value in a colour that contrasts with its cell.
 */
export function buildHeatmapChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style } = ctx;
  const [xCol, yCol] = dimensionColumns(data);
  const measure = measureColumns(data)[0];
  const xi = xCol ? data.columns.indexOf(xCol) : -1;
  const yi = yCol ? data.columns.indexOf(yCol) : -1;
  const mi = measure ? data.columns.indexOf(measure) : -1;

  const xs = distinct(
    data.rows.map((r) => key(r[xi])),
    isTemporal(xCol),
  );
  const ys = distinct(
    data.rows.map((r) => key(r[yi])),
    isTemporal(yCol),
  );
  const xPos = new Map(xs.map((v, i) => [v, i]));
  const yPos = new Map(ys.map((v, i) => [v, i]));

  let min = Infinity;
  let max = -Infinity;
  const cells: [number, number, number][] = [];
  for (const row of data.rows) {
    const v = row[mi];
    const x = xPos.get(key(row[xi]));
    const y = yPos.get(key(row[yi]));
    if (typeof v !== 'number' || x === undefined || y === undefined) continue;
    cells.push([x, y, v]);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (!cells.length) min = max = 0;
  const span = max - min || 1;
  const labelled = cells.length <= MAX_LABELLED_CELLS;
  const xPeriod = periodLabeler(xCol, xs);
  const yPeriod = periodLabeler(yCol, ys);
  const xLabels = xs.map((v) => (v !== null && xPeriod ? xPeriod(v) : categoryLabel(v)));
  const yLabels = ys.map((v) => (v !== null && yPeriod ? yPeriod(v) : categoryLabel(v)));
  const base = baseOption(style);
  const axis = axisStyle(style);
  const yWidth = Math.min(150, Math.max(0, ...yLabels.map(estimateTextWidth)));
  const xLabelLayout = bottomCategoryLabels(
    xLabels,
    ctx.width === undefined ? undefined : ctx.width - yWidth,
  );
  const cellMode = compactFor([min, max]);
  const fmtLegend = (v: number) => formatNumber(v, measure?.format, cellMode);

  return {
    ...base,
    // A heatmap's cells are the encoding; decal stripes on them would hide the colour ramp.
    aria: { enabled: true, decal: { show: false } },
    grid: grid({ top: 8, bottom: 56, right: 16 }),
    tooltip: {
      ...base.tooltip,
      trigger: 'item',
      formatter: (p: unknown) => {
        const value = (p as { value?: unknown }).value;
        if (!Array.isArray(value)) return '';
        const [x, y, v] = value as [number, number, number];
        return `${escapeHtml(yLabels[y] ?? '')} · ${escapeHtml(xLabels[x] ?? '')}: <b>${formatNumber(v, measure?.format)}</b>`;
      },
    },
    xAxis: {
      type: 'category',
      data: xLabels,
      ...axis,
      axisLabel: { ...axis.axisLabel, ...xLabelLayout },
      splitArea: { show: false },
    },
    yAxis: {
      type: 'category',
      data: yLabels,
      ...axis,
      inverse: true,
      axisLabel: { ...axis.axisLabel, interval: 0, width: 150, overflow: 'truncate' as const },
      splitArea: { show: false },
    },
    visualMap: {
      type: 'continuous',
      min,
      max,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemWidth: 12,
      itemHeight: 160,
      // Low and high ends of the ramp, labelled in the measure's format.
      text: [fmtLegend(max), fmtLegend(min)],
      textGap: 8,
      textStyle: { color: style.mutedText },
      inRange: { color: [...style.sequential] },
    },
    series: [
      {
        type: 'heatmap',
        name: measure?.label ?? widget.title,
        data: cells.map(([x, y, v]) => {
          const t = (v - min) / span;
          const darkCell = style.scheme === 'light' ? t > 0.5 : t < 0.5;
          return {
            value: [x, y, v],
            label: { color: darkCell ? style.onDark : style.onLight },
          };
        }),
        label: {
          show: labelled,
          fontSize: 11,
          formatter: (p: unknown) => {
            const value = (p as { value?: unknown }).value;
            const v = Array.isArray(value) ? value[2] : undefined;
            return typeof v === 'number' ? formatNumber(v, measure?.format, cellMode) : '';
          },
        },
        itemStyle: { borderColor: style.scheme === 'dark' ? '#1F2933' : '#FFFFFF', borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: style.text, borderWidth: 1 } },
      },
    ],
  };
}

function key(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** Distinct values in first-seen order; periods sorted in time; a missing value goes last. */
function distinct(values: (string | null)[], sort: boolean): (string | null)[] {
  const out = [...new Set(values)];
  if (sort) out.sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
  return out;
}
