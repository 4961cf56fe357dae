// Plain constants, no zod: the web app's first page imports them without pulling in the schemas.
/**
 * A user's own arrangement of a dashboard's widgets (docs/dashboards.md, "Own layouts"): positions
 * on the same 12-column grid the project's `width:` uses, heights in grid rows. Bounded so a layout
 * can never be large: at most one item per widget, sizes and positions capped.
 */
export const LAYOUT_COLUMNS = 12;
/** The tallest a widget may be made, in grid rows (one row is LAYOUT_ROW_PX pixels on screen). */
export const MAX_LAYOUT_HEIGHT = 24;
/** How far down a widget may be placed, in grid rows. */
export const MAX_LAYOUT_Y = 1000;
/** Widgets in one layout (a dashboard has fewer; more is never a real layout). */
export const MAX_LAYOUT_ITEMS = 200;
export const LAYOUT_ROW_PX = 40;
