import type { Cell, ResultColumn, WidgetDataResponse } from '../../../contract/index.js';
import { categoryLabel } from './value-format.js';
import { dimensionColumns, isTemporal, measureColumns } from './chart-common.js';

export interface PivotSeries {
  readonly name: string;
  readonly measure: ResultColumn;
  readonly values: (number | null)[];
}

export interface Pivot {
  readonly category: ResultColumn | undefined;
  /** Raw category values in axis order (null only for non-temporal axes, shown as "Not set"). */
  readonly categories: (string | null)[];
  readonly series: PivotSeries[];
  /** Rows left out because a date axis has no place for a missing date. */
  readonly droppedRows: number;
}

/**
 * Rows → one series per measure, or per value of the second dimension when there is one
 * ([x, series, measure]). Categories keep the server's order, except periods, which are sorted.
 * Missing cells are null (a gap), or 0 when `fillZero` (stacks need every point).
 */
export function pivotRows(data: WidgetDataResponse, options: { fillZero?: boolean } = {}): Pivot {
  const dims = dimensionColumns(data);
  const measures = measureColumns(data);
  const category = dims[0];
  const seriesDim = dims[1];
  const ci = category ? data.columns.indexOf(category) : -1;
  const si = seriesDim ? data.columns.indexOf(seriesDim) : -1;
  const temporal = isTemporal(category);

  const categoryIndex = new Map<string | null, number>();
  const categories: (string | null)[] = [];
  let droppedRows = 0;
  const rows: Cell[][] = [];
  for (const row of data.rows) {
    const raw = ci === -1 ? null : row[ci];
    const key = raw === null || raw === undefined ? null : String(raw);
    if (temporal && key === null) {
      droppedRows++;
      continue;
    }
    rows.push(row);
    if (!categoryIndex.has(key)) {
      categoryIndex.set(key, categories.length);
      categories.push(key);
    }
  }
  if (temporal) {
    categories.sort((a, b) => (a ?? '').localeCompare(b ?? ''));
    categories.forEach((c, i) => categoryIndex.set(c, i));
  }

  const fill = options.fillZero ? 0 : null;
  const series: PivotSeries[] = [];
  const byName = new Map<string, PivotSeries>();
  const seriesFor = (name: string, measure: ResultColumn): PivotSeries => {
    let s = byName.get(name);
    if (!s) {
      s = { name, measure, values: categories.map(() => fill) };
      byName.set(name, s);
      series.push(s);
    }
    return s;
  };

  for (const row of rows) {
    const raw = ci === -1 ? null : row[ci];
    const at = categoryIndex.get(raw === null || raw === undefined ? null : String(raw));
    if (at === undefined) continue;
    for (const measure of measures) {
      const mi = data.columns.indexOf(measure);
      let name = measure.label;
      if (seriesDim) {
        const label = categoryLabel(row[si] ?? null);
        name = measures.length > 1 ? `${label} · ${measure.label}` : label;
      }
      const v = row[mi];
      seriesFor(name, measure).values[at] = typeof v === 'number' ? v : fill;
    }
  }
  return { category, categories, series, droppedRows };
}
