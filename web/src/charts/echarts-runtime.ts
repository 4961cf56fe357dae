/* eslint-disable no-restricted-imports -- the lint rule's `echarts` pattern (gitignore syntax) also
   matches these echarts/* subpaths, which are exactly what it asks for; remove once the rule matches
   only the bare 'echarts' package (regex: '^echarts$'). */
import { BarChart, HeatmapChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  LegendScrollComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
/* eslint-enable no-restricted-imports */

/**
 * The lazily loaded half of charting: ECharts with only the charts and components Trellis uses.
 * Reached only through a dynamic import (components/ChartView.tsx), so pages without charts never
 * download it. SVG keeps text crisp at any zoom and leaves chart labels in the DOM.
 */
echarts.use([
  BarChart,
  LineChart,
  PieChart,
  ScatterChart,
  HeatmapChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  LegendScrollComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  SVGRenderer,
]);

export { echarts };
export { buildChartOption } from './chart-option.js';
export { chartStyleFor } from './chart-style.js';
