import type { Cell, WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { MarkValues } from '../app/filters/cross-filter.js';
import type { RegionLookup } from './chart-types.js';
import { dimensionColumns, measureColumns } from './chart-common.js';
import { flowNodes } from './flow-nodes.js';
import { pivotRows } from './series-pivot.js';
import { categoryLabel } from './value-format.js';

/**
 * One clickable mark of a chart, addressed the way ECharts reports clicks (series and data index),
 * with the raw values of the widget's cross-filter columns. Built from the same rows and in the same
 * order as the chart builders, so a click's indexes always land on the right row.
 */
export interface ChartMark {
  readonly seriesIndex: number;
  readonly dataIndex: number;
  /** What a screen reader hears for it: "RECRUITING", "2019 · red". */
  readonly label: string;
  readonly values: MarkValues;
  /** map and floorplan marks: the value as the map is asked for it (placeRegionMarks sets the index). */
  readonly region?: string;
}

/** Marks of a chart widget that can cross-filter; empty when the widget declares no links. */
export function chartMarks(widget: WidgetDefinition, data: WidgetDataResponse): ChartMark[] {
  const linked = new Set((widget.crossFilters ?? []).map((l) => l.column));
  if (!linked.size) return [];
  const dims = dimensionColumns(data);
  const index = (key: string | undefined) =>
    key === undefined ? -1 : data.columns.findIndex((c) => c.key === key);
  // Only linked columns with a real value: "Not set" (null) is not a value a filter can choose.
  const valuesOf = (pairs: [string | undefined, Cell | undefined][]): MarkValues => {
    const out: Record<string, string> = {};
    for (const [key, raw] of pairs)
      if (key !== undefined && linked.has(key) && raw !== null && raw !== undefined && raw !== '')
        out[key] = String(raw);
    return out;
  };
  const marks: ChartMark[] = [];
  const push = (m: ChartMark) => {
    if (Object.keys(m.values).length) marks.push(m);
  };

  switch (widget.type) {
    case 'bar':
    case 'line':
    case 'area': {
      // Mirrors series-pivot: series appear in order of first (row, measure), categories in axis order.
      const pivot = pivotRows(data, { fillZero: !!widget.stacked });
      const category = pivot.category?.key;
      const seriesDim = dims[1];
      const si = index(seriesDim?.key);
      const seriesRaw: (Cell | undefined)[] = [];
      if (seriesDim) {
        const seen = new Set<string>();
        const measures = measureColumns(data);
        for (const row of data.rows)
          for (const m of measures) {
            const label = categoryLabel(row[si] ?? null);
            const name = measures.length > 1 ? `${label} · ${m.label}` : label;
            if (!seen.has(name)) {
              seen.add(name);
              seriesRaw.push(row[si]);
            }
          }
      }
      pivot.series.forEach((s, seriesIndex) =>
        pivot.categories.forEach((c, dataIndex) => {
          if (s.values[dataIndex] === null || s.values[dataIndex] === undefined) return;
          const raw = seriesRaw[seriesIndex];
          push({
            seriesIndex,
            dataIndex,
            label: seriesDim ? `${categoryLabel(c)} · ${categoryLabel(raw ?? null)}` : categoryLabel(c),
            values: valuesOf([
              [category, c],
              [seriesDim?.key, raw],
            ]),
          });
        }),
      );
      return marks;
    }
    case 'pie':
    case 'donut': {
      const d = dims[0];
      const mi = index(measureColumns(data)[0]?.key);
      const di = index(d?.key);
      let dataIndex = 0;
      for (const row of data.rows) {
        const v = row[mi];
        if (typeof v !== 'number' || v <= 0) continue; // the builder drops these slices
        const raw = row[di];
        push({
          seriesIndex: 0,
          dataIndex,
          label: categoryLabel(raw ?? null),
          values: valuesOf([[d?.key, raw]]),
        });
        dataIndex++;
      }
      return marks;
    }
    case 'scatter': {
      const d = dims[0];
      const [x, y] = measureColumns(data);
      const [di, xi, yi] = [index(d?.key), index(x?.key), index(y?.key)];
      let dataIndex = 0;
      for (const row of data.rows) {
        if (typeof row[xi] !== 'number' || typeof row[yi] !== 'number') continue;
        const raw = row[di];
        push({
          seriesIndex: 0,
          dataIndex,
          label: categoryLabel(raw ?? null),
          values: valuesOf([[d?.key, raw]]),
        });
        dataIndex++;
      }
      return marks;
    }
    case 'heatmap': {
      const [xc, yc] = dims;
      const [xi, yi, mi] = [index(xc?.key), index(yc?.key), index(measureColumns(data)[0]?.key)];
      let dataIndex = 0;
      for (const row of data.rows) {
        if (typeof row[mi] !== 'number') continue;
        push({
          seriesIndex: 0,
          dataIndex,
          label: `${categoryLabel(row[xi] ?? null)} · ${categoryLabel(row[yi] ?? null)}`,
          values: valuesOf([
            [xc?.key, row[xi]],
            [yc?.key, row[yi]],
          ]),
        });
        dataIndex++;
      }
      return marks;
    }
    case 'boxplot':
    case 'funnel': {
      // One box or stage per row, in the server's order (the builders keep every row).
      const d = dims[0];
      const di = index(d?.key);
      data.rows.forEach((row, dataIndex) => {
        const raw = di === -1 ? undefined : row[di];
        push({
          seriesIndex: 0,
          dataIndex,
          label: categoryLabel(raw ?? null),
          values: valuesOf([[d?.key, raw]]),
        });
      });
      return marks;
    }
    case 'sankey':
    case 'graph': {
      // Nodes in flowNodes' order (the builders' data). A node sets the source column when it is a
      // source there and that column links, else the target column.
      const [s, t] = dims;
      const [si, ti] = [index(s?.key), index(t?.key)];
      const raw = new Map<string, { source?: Cell; target?: Cell }>();
      for (const row of data.rows) {
        const source = categoryLabel(row[si] ?? null);
        const target = categoryLabel(row[ti] ?? null);
        raw.set(source, { ...raw.get(source), source: row[si] });
        raw.set(target, { target: row[ti], ...raw.get(target) });
      }
      [...flowNodes(data).nodes.keys()].forEach((name, dataIndex) => {
        const r = raw.get(name) ?? {};
        const asSource = valuesOf([[s?.key, r.source]]);
        push({
          seriesIndex: 0,
          dataIndex,
          label: name,
          values: Object.keys(asSource).length ? asSource : valuesOf([[t?.key, r.target]]),
        });
      });
      return marks;
    }
    case 'map':
    case 'floorplan': {
      // One mark per row with a number; placeRegionMarks gives them the regions' order once the
      // map is loaded (the builder sums rows that name the same region).
      const d = dims[0];
      const [di, mi] = [index(d?.key), index(measureColumns(data)[0]?.key)];
      data.rows.forEach((row, dataIndex) => {
        if (typeof row[mi] !== 'number') return;
        const raw = row[di];
        const label = categoryLabel(raw ?? null);
        push({ seriesIndex: 0, dataIndex, label, region: label, values: valuesOf([[d?.key, raw]]) });
      });
      return marks;
    }
    default:
      return [];
  }
}

/**
 * Map and floor-plan marks in the order of the chart's regions (region-map-chart.ts): one per region,
 * the first row naming it standing for it; values no region matches have no mark.
 */
export function placeRegionMarks(marks: readonly ChartMark[], regions: RegionLookup): ChartMark[] {
  const order = new Map<string, number>();
  const out: ChartMark[] = [];
  for (const m of marks) {
    const region = m.region === undefined ? undefined : regions.regionOf(m.region);
    if (region === undefined || order.has(region)) continue;
    order.set(region, order.size);
    out.push({ ...m, dataIndex: order.size - 1, label: region });
  }
  return out;
}

/** Marks with distinct values, in order: what arrow keys step through (a stack repeats a category). */
export function distinctMarks(marks: readonly ChartMark[]): ChartMark[] {
  const seen = new Set<string>();
  return marks.filter((m) => {
    const key = JSON.stringify(Object.entries(m.values).sort());
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
