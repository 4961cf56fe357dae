import type { WidgetDataResponse } from '../../../contract/index.js';
import { dimensionColumns, measureColumns } from './chart-common.js';
import { categoryLabel } from './value-format.js';

// Apart from flow-chart.ts so the marks of a sankey or graph (chart-marks.ts, first page) do not pull
// the chart builder into the first chunk.
/** Nodes and their weights (the larger of what flows in and out) from link rows [source, target, value]. */
export function flowNodes(data: WidgetDataResponse): {
  links: { source: string; target: string; value: number }[];
  nodes: Map<string, number>;
} {
  const [s, t] = dimensionColumns(data);
  const m = measureColumns(data)[0];
  const si = s ? data.columns.indexOf(s) : -1;
  const ti = t ? data.columns.indexOf(t) : -1;
  const mi = m ? data.columns.indexOf(m) : -1;
  const inflow = new Map<string, number>();
  const outflow = new Map<string, number>();
  const links: { source: string; target: string; value: number }[] = [];
  for (const r of data.rows) {
    const source = categoryLabel(r[si] ?? null);
    const target = categoryLabel(r[ti] ?? null);
    const value = typeof r[mi] === 'number' ? r[mi] : 0;
    links.push({ source, target, value });
    outflow.set(source, (outflow.get(source) ?? 0) + value);
    inflow.set(target, (inflow.get(target) ?? 0) + value);
    if (!inflow.has(source)) inflow.set(source, 0);
    if (!outflow.has(target)) outflow.set(target, 0);
  }
  const nodes = new Map<string, number>();
  for (const [n, v] of outflow) nodes.set(n, Math.max(v, inflow.get(n) ?? 0));
  return { links, nodes };
}
