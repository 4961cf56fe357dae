import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import type { ChartContext } from './chart-types.js';
import { unmatchedRegions } from './region-map-chart.js';
import { categoryLabel, formatCell } from './value-format.js';
import { chartWords } from './chart-words.js';

/** Enough rows for a listener to get the gist; the "View as table" toggle has all of them. */
const MAX_ITEMS = 12;

/**
 * The text a screen reader announces for a chart (ECharts puts it in the chart's aria-label).
 * ECharts' own summary reads raw option data ("COMPLETED is 0, 28945"); this one reads the rows
 * with their column labels and formatted values, the same way the table shows them.
 */
export function describeChart(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx?: ChartContext,
): string {
  const words = chartWords();
  const kind = words.kinds[widget.type] ?? words.chart;
  const n = data.rows.length;
  const head = `${widget.title}. ${kind}, ${words.rows(n)}`;
  // What a bound cut (server) and what a map could not place (here) belong to the description too.
  const notes = [...(data.meta.notice ? [data.meta.notice] : []), ...unmatchedNote(widget, data, ctx)];
  const tail = notes.length ? ` ${notes.join(' ')}` : '';
  if (n === 0) return `${head}.${tail}`;
  const items = data.rows.slice(0, MAX_ITEMS).map((row) =>
    data.columns
      .map((c, i) => {
        const v = row[i] ?? null;
        const text = c.role === 'dimension' && c.type === 'string' ? categoryLabel(v) : formatCell(v, c);
        return `${c.label} ${text}`;
      })
      .join(', '),
  );
  const rest = n > MAX_ITEMS ? `; ${words.moreRows(n - MAX_ITEMS)}` : '';
  return `${head}: ${items.join('; ')}${rest}.${tail}`;
}

function unmatchedNote(
  widget: WidgetDefinition,
  data: WidgetDataResponse,
  ctx: ChartContext | undefined,
): string[] {
  if (widget.type !== 'map' || !ctx) return [];
  const missing = unmatchedRegions(data, ctx);
  if (!missing.length) return [];
  const shown = missing.slice(0, 5).join(', ');
  return [chartWords().notOnMap(shown, Math.max(0, missing.length - 5))];
}
