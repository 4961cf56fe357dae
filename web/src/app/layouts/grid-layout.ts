import type { LayoutItem, WidgetDefinition } from '../../../../contract/index.js';
// The bounds from their zod-free module: this file is on the first page (docs/performance.md budget).
import { LAYOUT_COLUMNS, MAX_LAYOUT_HEIGHT, MAX_LAYOUT_Y } from '../../../../contract/layout-bounds.js';

/**
 * Own layouts as plain data (docs/dashboards.md, "Own layouts"): the project's layout expressed on the
 * 12-column grid, a saved layout completed with widgets added to the project since, and the moves
 * and resizes the arrow keys make. No DOM, so it is tested without one.
 */
type Widget = Pick<WidgetDefinition, 'id' | 'type' | 'width' | 'height'>;

/** Rows (LAYOUT_ROW_PX each) a widget takes by default, from its project height. */
export function defaultRows(w: Pick<Widget, 'type' | 'height'>): number {
  if (w.type === 'kpi') return 4;
  if (w.type === 'table') return 18;
  return w.height === 'small' ? 8 : w.height === 'large' ? 13 : 10;
}

/** The project's layout: widgets left to right in file order, a new row when one does not fit. */
export function projectLayout(widgets: readonly Widget[]): LayoutItem[] {
  const items: LayoutItem[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const w of widgets) {
    if (x + w.width > LAYOUT_COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const h = defaultRows(w);
    items.push({ widget: w.id, x, y, w: w.width, h });
    x += w.width;
    rowHeight = Math.max(rowHeight, h);
  }
  return items;
}

/**
 * A saved layout for the dashboard as it is now: items of widgets it no longer has are dropped, and
 * widgets it did not know yet go below everything, at their project width.
 */
export function completeLayout(saved: readonly LayoutItem[], widgets: readonly Widget[]): LayoutItem[] {
  const ids = new Set(widgets.map((w) => w.id));
  const kept = saved.filter((i) => ids.has(i.widget));
  const placed = new Set(kept.map((i) => i.widget));
  const bottom = kept.reduce((m, i) => Math.max(m, i.y + i.h), 0);
  const added = projectLayout(widgets.filter((w) => !placed.has(w.id))).map((i) => ({
    ...i,
    y: Math.min(i.y + bottom, MAX_LAYOUT_Y),
  }));
  return [...kept, ...added];
}

export type Nudge = 'left' | 'right' | 'up' | 'down';

/** One arrow-key step: move the item, or with resize grow/shrink it; always within the grid's bounds. */
export function nudge(item: LayoutItem, direction: Nudge, resize: boolean): LayoutItem {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  if (resize) {
    if (direction === 'left' || direction === 'right') {
      const w = clamp(item.w + (direction === 'right' ? 1 : -1), 1, LAYOUT_COLUMNS - item.x);
      return { ...item, w };
    }
    return { ...item, h: clamp(item.h + (direction === 'down' ? 1 : -1), 1, MAX_LAYOUT_HEIGHT) };
  }
  if (direction === 'left' || direction === 'right') {
    const x = clamp(item.x + (direction === 'right' ? 1 : -1), 0, LAYOUT_COLUMNS - item.w);
    return { ...item, x };
  }
  return { ...item, y: clamp(item.y + (direction === 'down' ? 1 : -1), 0, MAX_LAYOUT_Y) };
}

/** Layout items in reading order (top to bottom, left to right): the order screen readers and Tab follow. */
export function readingOrder(items: readonly LayoutItem[]): LayoutItem[] {
  return [...items].sort((a, b) => a.y - b.y || a.x - b.x);
}
