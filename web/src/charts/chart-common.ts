import type { ResultColumn, WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, ChartStyle, EChartsOption } from './chart-types.js';
import { LIGHT_CHART_STYLE } from './chart-style.js';
import { formatNumber, formatPeriod, isYearly, type FormatMode } from './value-format.js';

/** Same stack as the page, so chart text matches the surrounding UI. */
export const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';

export const DEFAULT_CONTEXT: ChartContext = { style: LIGHT_CHART_STYLE };

/**
 * What every chart shares: the palette, ARIA (ECharts writes a text description of the data onto
 * the chart element for screen readers) with decal patterns so series differ by more than colour,
 * a transparent background (the card paints it) and themed tooltips.
 */
export function baseOption(style: ChartStyle): EChartsOption {
  return {
    color: [...style.palette],
    backgroundColor: 'transparent',
    aria: { enabled: true, decal: { show: true } },
    textStyle: { fontFamily: FONT_FAMILY, color: style.text, fontSize: 12 },
    animationDuration: 300,
    animationDurationUpdate: 300,
    tooltip: {
      confine: true,
      backgroundColor: style.tooltipBackground,
      borderColor: style.tooltipBorder,
      textStyle: { color: style.text, fontSize: 12 },
    },
  };
}

export function axisStyle(style: ChartStyle) {
  return {
    axisLine: { lineStyle: { color: style.axisLine } },
    axisTick: { lineStyle: { color: style.axisLine } },
    axisLabel: { color: style.mutedText, hideOverlap: true },
    splitLine: { lineStyle: { color: style.gridLine } },
    nameTextStyle: { color: style.mutedText },
  };
}

/** Numbers this large read compact (29K, 1.2M) on axes and labels. */
export const COMPACT_FROM = 10_000;

/** Compact when the biggest value is large, so one axis never mixes "5,000" with "30K". */
export function compactFor(values: Iterable<number | null | undefined>): FormatMode {
  let max = 0;
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  return max >= COMPACT_FROM ? 'compact' : 'full';
}

/** A value axis whose tick labels follow the measure's format (29K, 40%, 3.5). */
export function valueAxis(
  style: ChartStyle,
  column: ResultColumn | undefined,
  options: { name?: string | undefined; mode?: FormatMode } = {},
) {
  const base = axisStyle(style);
  const mode = options.mode ?? 'compact';
  return {
    type: 'value' as const,
    ...base,
    ...(options.name ? { name: options.name, nameLocation: 'middle' as const, nameGap: 40 } : {}),
    axisLabel: {
      ...base.axisLabel,
      formatter: (v: number) => formatNumber(v, column?.format, mode),
    },
  };
}

/** Rough width of a label in px at 12px system font; enough to decide on wrapping or rotating. */
export function estimateTextWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    if (ch === ' ') w += 3.4;
    else if (/[A-Z]/.test(ch)) w += 7.6;
    else if (/[a-z]/.test(ch)) w += 6.1;
    else w += 6.8;
  }
  return w;
}

/**
 * Labels for a category axis along the bottom: all of them when they fit; wrapped onto two lines
 * when there are few but long ones; rotated when there are many; thinned (hideOverlap) only when
 * even rotated labels would collide. Without a known width the chart is assumed to be half a
 * desktop screen wide.
 */
export function bottomCategoryLabels(labels: readonly string[], width: number | undefined) {
  const usable = Math.max(120, (width ?? 560) - 80);
  const slot = usable / Math.max(1, labels.length);
  const widest = Math.max(0, ...labels.map(estimateTextWidth));
  if (widest + 8 <= slot) return { interval: 0, rotate: 0 };
  const longestWord = Math.max(0, ...labels.flatMap((l) => l.split(/\s+/)).map(estimateTextWidth));
  if (slot >= 64 && widest <= 2 * (slot - 8) && longestWord <= slot - 8)
    return {
      interval: 0,
      rotate: 0,
      width: Math.floor(slot - 8),
      overflow: 'break' as const,
      lineHeight: 14,
    };
  // Rotated labels need about one line height of room each.
  if (slot >= 16) return { interval: 0, rotate: 35, width: 100, overflow: 'truncate' as const };
  return { rotate: 35, width: 100, overflow: 'truncate' as const };
}

/** Room for axis labels inside the chart box (the ECharts 6 form of containLabel). */
export function grid(
  extra: { top?: number; bottom?: number; left?: number; right?: number; withAxisNames?: boolean } = {},
) {
  return {
    top: extra.top ?? 16,
    bottom: extra.bottom ?? 8,
    left: extra.left ?? 8,
    right: extra.right ?? 16,
    outerBoundsMode: 'same' as const,
    // Axis names (scatter) must fit inside the box too, not only the tick labels.
    outerBoundsContain: extra.withAxisNames ? ('all' as const) : ('axisLabel' as const),
  };
}

export function isTemporal(column: ResultColumn | undefined): boolean {
  return !!column && (column.type === 'date' || column.type === 'timestamp' || column.format === 'month');
}

/** Labels for a period axis: years when every period starts on 1 January, else "Mar 2015". */
export function periodLabeler(column: ResultColumn | undefined, values: readonly (string | null)[]) {
  if (!isTemporal(column)) return undefined;
  const yearly = isYearly(values);
  return (v: string) => formatPeriod(v, yearly);
}

/** Formats a tooltip value of one column; ECharts may hand over arrays or non-numbers. */
export function tooltipFormatter(column: ResultColumn | undefined) {
  return (value: unknown) => (typeof value === 'number' ? formatNumber(value, column?.format, 'full') : '—');
}

export function measureColumns(data: WidgetDataResponse): ResultColumn[] {
  return data.columns.filter((c) => c.role === 'measure');
}

export function dimensionColumns(data: WidgetDataResponse): ResultColumn[] {
  return data.columns.filter((c) => c.role === 'dimension');
}

export function columnIndex(data: WidgetDataResponse, column: ResultColumn | undefined): number {
  return column ? data.columns.indexOf(column) : -1;
}

/** Tooltip text is HTML in ECharts; data values must never become markup. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type Builder = (
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx?: ChartContext,
) => EChartsOption;
