/* eslint-disable no-restricted-imports -- the lint rule's `echarts` pattern (gitignore syntax) also
   matches these echarts/* subpaths, which are exactly what it asks for; remove once the rule matches
   only the bare 'echarts' package (regex: '^echarts$'). */
import type {
  BarSeriesOption,
  HeatmapSeriesOption,
  LineSeriesOption,
  PieSeriesOption,
  ScatterSeriesOption,
} from 'echarts/charts';
import type {
  AriaComponentOption,
  GridComponentOption,
  LegendComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
/* eslint-enable no-restricted-imports */

/** The option type of exactly the charts and components Trellis registers (see echarts-runtime.ts). */
export type EChartsOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | PieSeriesOption
  | ScatterSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
  | AriaComponentOption
>;

export type SeriesOption = BarSeriesOption | LineSeriesOption;

/** Colours and text colours for one colour scheme; builders stay pure by taking it as input. */
export interface ChartStyle {
  readonly scheme: 'light' | 'dark';
  readonly palette: readonly string[];
  /** Low → high, for heatmaps. */
  readonly sequential: readonly string[];
  readonly text: string;
  readonly mutedText: string;
  readonly axisLine: string;
  readonly gridLine: string;
  readonly tooltipBackground: string;
  readonly tooltipBorder: string;
  /** Text on the darkest and the lightest heatmap cells. */
  readonly onDark: string;
  readonly onLight: string;
}

export interface ChartContext {
  readonly style: ChartStyle;
  /** Width of the chart box in px, when known: decides whether category labels need rotating. */
  readonly width?: number | undefined;
}
