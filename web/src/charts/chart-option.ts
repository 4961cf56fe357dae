import type { ChartType, WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { buildAreaChart } from './area-chart.js';
import { buildBarChart } from './bar-chart.js';
import { DEFAULT_CONTEXT } from './chart-common.js';
import { describeChart } from './chart-description.js';
import { buildHeatmapChart } from './heatmap-chart.js';
import { buildHistogramChart } from './histogram-chart.js';
import { buildLineChart } from './line-chart.js';
import { buildPieChart } from './pie-chart.js';
import { buildScatterChart } from './scatter-chart.js';
import { buildBoxplotChart } from './boxplot-chart.js';
import { buildCalendarChart } from './calendar-chart.js';
import { buildFlowChart } from './flow-chart.js';
import { buildFunnelChart } from './funnel-chart.js';
import { buildGaugeChart } from './gauge-chart.js';
import { buildRegionMapChart } from './region-map-chart.js';

const builders: Record<ChartType, typeof buildBarChart> = {
  bar: buildBarChart,
  line: buildLineChart,
  area: buildAreaChart,
  pie: buildPieChart,
  donut: buildPieChart,
  scatter: buildScatterChart,
  histogram: buildHistogramChart,
  heatmap: buildHeatmapChart,
  boxplot: buildBoxplotChart,
  funnel: buildFunnelChart,
  gauge: buildGaugeChart,
  calendar: buildCalendarChart,
  sankey: buildFlowChart,
  graph: buildFlowChart,
  map: buildRegionMapChart,
  floorplan: buildRegionMapChart,
};

export function isChartType(type: string): type is ChartType {
  return Object.hasOwn(builders, type);
}

/** The one entry point the chart component calls: widget + data (+ colours) → ECharts option. */
export function buildChartOption(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  if (!isChartType(widget.type)) throw new Error(`widget type "${widget.type}" is not a chart`);
  const option = builders[widget.type](widget, data, ctx);
  const aria = option.aria && !Array.isArray(option.aria) ? option.aria : { enabled: true };
  return { ...option, aria: { ...aria, label: { description: describeChart(widget, data, ctx) } } };
}
