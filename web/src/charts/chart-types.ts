/* eslint-disable no-restricted-imports -- the lint rule's `echarts` pattern (gitignore syntax) also
   matches these echarts/* subpaths, which are exactly what it asks for; remove once the rule matches
   only the bare 'echarts' package (regex: '^echarts$'). */
import type {
  BarSeriesOption,
  BoxplotSeriesOption,
  FunnelSeriesOption,
  GaugeSeriesOption,
  GraphSeriesOption,
  MapSeriesOption,
  SankeySeriesOption,
  HeatmapSeriesOption,
  LineSeriesOption,
  PieSeriesOption,
  ScatterSeriesOption,
} from 'echarts/charts';
import type {
  CalendarComponentOption,
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
  | BoxplotSeriesOption
  | FunnelSeriesOption
  | GaugeSeriesOption
  | SankeySeriesOption
  | GraphSeriesOption
  | MapSeriesOption
  | CalendarComponentOption
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

/** Map charts: the registered map's name and how a data value finds its region there (geo-maps.ts). */
export interface RegionLookup {
  readonly mapName: string;
  /** The region's name on the map for a value (a name, an alias or a code), or undefined. */
  regionOf(value: string): string | undefined;
}

export interface ChartContext {
  readonly style: ChartStyle;
  /** map and floorplan charts: their map, registered before the option is built. */
  readonly regions?: RegionLookup | undefined;
  /**
   * map and floorplan charts: the regions a cross-filter has chosen (their names on the map), drawn
   * with a frame; other charts show their selection through ECharts' select state (ChartView.tsx).
   */
  readonly selectedRegions?: ReadonlySet<string> | undefined;
  /** Width of the chart box in px, when known: decides whether category labels need rotating. */
  readonly width?: number | undefined;
}
