import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext, EChartsOption } from './chart-types.js';
import { baseOption, DEFAULT_CONTEXT, dimensionColumns, escapeHtml, measureColumns } from './chart-common.js';
import { categoryLabel, formatNumber } from './value-format.js';
import { chartWords } from './chart-words.js';

/** Values of a map result that no region of the map matches (said in the description). */
export function unmatchedRegions(data: WidgetDataResponse, ctx: ChartContext): string[] {
  const dim = dimensionColumns(data)[0];
  const di = dim ? data.columns.indexOf(dim) : -1;
  const regions = ctx.regions;
  if (!regions) return [];
  return data.rows.map((r) => categoryLabel(r[di] ?? null)).filter((v) => regions.regionOf(v) === undefined);
}

/** The frame of a region a cross-filter has chosen, in px at any zoom (ECharts keeps strokes unscaled). */
export const SELECTED_BORDER = 3;

/**
 * Rows [region, measure] → regions of a map (world countries, US states: `map`) or of the project's
 * floor plan (`floorplan`), coloured on a single-hue ramp; regions without a value keep a neutral fill.
 * The map was registered before (echarts-runtime.ts prepareRegions): ctx.regions names it.
 */
export function buildRegionMapChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext = DEFAULT_CONTEXT,
): EChartsOption {
  const { style, regions, selectedRegions: selected } = ctx;
  const dim = dimensionColumns(data)[0];
  const measure = measureColumns(data)[0];
  const di = dim ? data.columns.indexOf(dim) : -1;
  const mi = measure ? data.columns.indexOf(measure) : -1;
  const values = new Map<string, number>();
  for (const r of data.rows) {
    const v = r[mi];
    const region = regions?.regionOf(categoryLabel(r[di] ?? null));
    if (region === undefined || typeof v !== 'number') continue;
    values.set(region, (values.get(region) ?? 0) + v);
  }
  const all = [...values.values()];
  const min = all.length ? Math.min(0, ...all) : 0;
  const max = all.length ? Math.max(...all) : 1;
  const base = baseOption(style);
  const empty = style.scheme === 'dark' ? '#323F4B' : '#E4E7EB';
  const fmt = (v: number) => formatNumber(v, measure?.format, 'compact');
  return {
    ...base,
    aria: { enabled: true, decal: { show: false } },
    tooltip: {
      ...base.tooltip,
      trigger: 'item',
      formatter: (p: unknown) => {
        const item = p as { name?: string; value?: unknown };
        const v =
          typeof item.value === 'number' && !Number.isNaN(item.value)
            ? formatNumber(item.value, measure?.format)
            : chartWords().noData;
        return `${escapeHtml(item.name ?? '')}: <b>${v}</b>`;
      },
    },
    visualMap: {
      type: 'continuous',
      min,
      max: max > min ? max : min + 1,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemWidth: 12,
      itemHeight: 160,
      text: [fmt(max), fmt(min)],
      textGap: 8,
      textStyle: { color: style.mutedText },
      inRange: { color: [...style.sequential] },
    },
    series: [
      {
        type: 'map',
        name: measure?.label ?? widget.title,
        map: regions?.mapName ?? '',
        roam: widget.type === 'map',
        top: 8,
        bottom: 40,
        // Maps get a neutral fill where no value applies; floor plans keep their own drawing's colours
        // everywhere but the regions with a value (name tags and walls stay as drawn).
        itemStyle:
          widget.type === 'map'
            ? {
                areaColor: empty,
                borderColor: style.scheme === 'dark' ? '#1F2933' : '#FFFFFF',
                borderWidth: 0.5,
              }
            : {},
        emphasis: {
          label: { show: widget.type === 'floorplan', color: style.text },
          itemStyle: { areaColor: style.palette[1] },
        },
        // The chosen regions are drawn framed here, not through ECharts' select state, which does
        // not reach the shapes of an SVG floor plan; a thick line in the text colour, as the other
        // charts frame a selected mark, keeps the region's value colour readable inside it.
        selectedMode: false,
        select: { disabled: true },
        label: { show: false },
        data: [...values].map(([name, value]) =>
          selected?.has(name)
            ? { name, value, itemStyle: { borderColor: style.text, borderWidth: SELECTED_BORDER } }
            : { name, value },
        ),
      },
    ],
  };
}
