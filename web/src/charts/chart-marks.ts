import type { Cell, WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { MarkValues } from '../app/filters/cross-filter.js';
import { dimensionColumns, measureColumns } from './chart-common.js';
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
    default:
      return [];
  }
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
