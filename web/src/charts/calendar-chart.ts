import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { baseOption, DEFAULT_CONTEXT, dimensionColumns, escapeHtml, measureColumns } from './chart-common.js';
import { formatNumber } from './value-format.js';

/** The latest years with data get a calendar each; older days stay in the table view. */
export const MAX_CALENDAR_YEARS = 3;
export const CALENDAR_YEAR_PX = 150;

/** Years covered by a calendar result, latest first, at most MAX_CALENDAR_YEARS. */
export function calendarYears(data: WidgetDataResponse): number[] {
  const dim = dimensionColumns(data)[0];
  const di = dim ? data.columns.indexOf(dim) : -1;
  const years = new Set<number>();
  for (const r of data.rows) {
    const v = r[di];
    if (typeof v === 'string') years.add(Number(v.slice(0, 4)));
  }
  return [...years].sort((a, b) => b - a).slice(0, MAX_CALENDAR_YEARS);
}

/** Rows [day, measure] → one GitHub-style calendar per year, cells on a single-hue ramp. */
export function buildCalendarChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style } = ctx;
  const dim = dimensionColumns(data)[0];
  const measure = measureColumns(data)[0];
  const di = dim ? data.columns.indexOf(dim) : -1;
  const mi = measure ? data.columns.indexOf(measure) : -1;
  const years = calendarYears(data);
  const days: [string, number][] = [];
  let max = 0;
  for (const r of data.rows) {
    const d = r[di];
    const v = r[mi];
    if (typeof d !== 'string' || typeof v !== 'number') continue;
    if (!years.includes(Number(d.slice(0, 4)))) continue;
    days.push([d.slice(0, 10), v]);
    max = Math.max(max, v);
  }
  const base = baseOption(style);
  const cellBorder = style.scheme === 'dark' ? '#1F2933' : '#FFFFFF';
  return {
    ...base,
    aria: { enabled: true, decal: { show: false } },
    tooltip: {
      ...base.tooltip,
      trigger: 'item',
      formatter: (p: unknown) => {
        const value = (p as { value?: unknown }).value;
        if (!Array.isArray(value)) return '';
        const [day, v] = value as [string, number];
        return `${escapeHtml(day)}: <b>${formatNumber(v, measure?.format)}</b>`;
      },
    },
    visualMap: {
      type: 'continuous',
      min: 0,
      max: max || 1,
      calculable: false,
      orient: 'horizontal',
      right: 16,
      bottom: 0,
      itemWidth: 10,
      itemHeight: 120,
      text: [formatNumber(max, measure?.format, 'compact'), '0'],
      textStyle: { color: style.mutedText },
      inRange: { color: [...style.sequential] },
    },
    calendar: years.map((year, i) => ({
      range: String(year),
      top: 28 + i * CALENDAR_YEAR_PX,
      left: 48,
      right: 16,
      cellSize: ['auto', 15],
      orient: 'horizontal',
      yearLabel: { show: true, position: 'left', color: style.mutedText, fontSize: 13 },
      dayLabel: { color: style.mutedText, fontSize: 10, firstDay: 1 },
      monthLabel: { color: style.mutedText, fontSize: 10 },
      splitLine: { lineStyle: { color: style.axisLine, width: 1 } },
      itemStyle: { color: 'transparent', borderColor: cellBorder, borderWidth: 1 },
    })),
    series: years.map((year, i) => ({
      type: 'heatmap' as const,
      coordinateSystem: 'calendar' as const,
      calendarIndex: i,
      name: measure?.label ?? widget.title,
      data: days.filter(([d]) => d.startsWith(String(year))),
    })),
  };
}
