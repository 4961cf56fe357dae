/* eslint-disable no-restricted-imports -- the lint rule's `echarts` pattern (gitignore syntax) also
   matches these echarts/* subpaths, which are exactly what it asks for; remove once the rule matches
   only the bare 'echarts' package (regex: '^echarts$'). */
import {
  BarChart,
  BoxplotChart,
  FunnelChart,
  GaugeChart,
  GraphChart,
  HeatmapChart,
  LineChart,
  MapChart,
  PieChart,
  SankeyChart,
  ScatterChart,
} from 'echarts/charts';
import {
  AriaComponent,
  CalendarComponent,
  GridComponent,
  LegendComponent,
  LegendScrollComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
/* eslint-enable no-restricted-imports */
import type { WidgetDefinition } from '../../../contract/index.js';
import type { RegionLookup } from './chart-types.js';

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
  BoxplotChart,
  FunnelChart,
  GaugeChart,
  SankeyChart,
  GraphChart,
  MapChart,
  CalendarComponent,
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

/**
 * Registers what a map or floor-plan widget draws on, before its option is built: the bundled world or
 * US-states outlines (a further lazy chunk, geo-maps.ts) or the widget's own sanitised SVG.
 */
export async function prepareRegions(widget: WidgetDefinition): Promise<RegionLookup | undefined> {
  if (widget.type === 'floorplan') {
    const mapName = `trellis-floorplan-${widget.id}`;
    if (widget.svg && !floorPlans.has(mapName)) {
      echarts.registerMap(mapName, { svg: widget.svg });
      floorPlans.add(mapName);
    }
    return { mapName, regionOf: (value) => value };
  }
  if (widget.type === 'map' && widget.map) {
    const geo = await import('./geo-maps.js');
    return geo.registerBundledMap(echarts, widget.map);
  }
  return undefined;
}
const floorPlans = new Set<string>();
