import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import { categoryLabel, formatCell } from './value-format.js';

const KIND: Record<string, string> = {
  bar: 'Bar chart',
  line: 'Line chart',
  area: 'Area chart',
  pie: 'Pie chart',
  donut: 'Donut chart',
  scatter: 'Scatter plot',
  histogram: 'Histogram',
  heatmap: 'Heatmap',
};

/** Enough rows for a listener to get the gist; the "View as table" toggle has all of them. */
const MAX_ITEMS = 12;

/**
 * The text a screen reader announces for a chart (ECharts puts it in the chart's aria-label).
 * ECharts' own summary reads raw option data ("COMPLETED is 0, 28945"); this one reads the rows
 * with their column labels and formatted values, the same way the table shows them.
 */
export function describeChart(widget: WidgetDefinition, data: WidgetDataResponse): string {
  const kind = KIND[widget.type] ?? 'Chart';
  const n = data.rows.length;
  const head = `${widget.title}. ${kind}, ${n} ${n === 1 ? 'row' : 'rows'}`;
  if (n === 0) return `${head}.`;
  const items = data.rows.slice(0, MAX_ITEMS).map((row) =>
    data.columns
      .map((c, i) => {
        const v = row[i] ?? null;
        const text = c.role === 'dimension' && c.type === 'string' ? categoryLabel(v) : formatCell(v, c);
        return `${c.label} ${text}`;
      })
      .join(', '),
  );
  const rest = n > MAX_ITEMS ? `; and ${n - MAX_ITEMS} more rows` : '';
  return `${head}: ${items.join('; ')}${rest}.`;
}
