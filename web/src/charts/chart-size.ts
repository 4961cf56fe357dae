import type { WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';

/** Room per heatmap row, so cells and their labels stay readable. */
const HEATMAP_ROW_PX = 22;
/** The x-axis labels and the colour legend under a heatmap. */
const HEATMAP_CHROME_PX = 100;

/**
 * A minimum height for charts whose content grows with the data: a heatmap with many rows gets
 * taller than its `height` class would make it. Undefined means "the class height is enough".
 * Kept apart from the builders (which load lazily) because the card needs it before ECharts does.
 */
export function chartMinHeight(widget: WidgetDefinition, data: WidgetDataResponse): number | undefined {
  if (widget.type === 'calendar') {
    // One calendar per year (the latest three), each about 150px tall, plus the legend.
    const years = new Set(data.rows.map((r) => String(r[0] ?? '').slice(0, 4))).size;
    return Math.min(3, Math.max(1, years)) * 150 + 40;
  }
  if (widget.type !== 'heatmap') return undefined;
  const yColumn = data.columns.filter((c) => c.role === 'dimension')[1];
  const yi = yColumn ? data.columns.indexOf(yColumn) : -1;
  if (yi === -1) return undefined;
  const rows = new Set(data.rows.map((r) => r[yi] ?? null)).size;
  return rows * HEATMAP_ROW_PX + HEATMAP_CHROME_PX;
}
