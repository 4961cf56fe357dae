import { z } from 'zod';

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

export const layoutItem = z
  .object({
    widget: z.string().min(1).max(100),
    x: z
      .number()
      .int()
      .min(0)
      .max(LAYOUT_COLUMNS - 1),
    y: z.number().int().min(0).max(MAX_LAYOUT_Y),
    w: z.number().int().min(1).max(LAYOUT_COLUMNS),
    h: z.number().int().min(1).max(MAX_LAYOUT_HEIGHT),
  })
  .strict()
  .refine((i) => i.x + i.w <= LAYOUT_COLUMNS, 'x + w must fit in 12 columns');
export type LayoutItem = z.infer<typeof layoutItem>;

export const saveLayoutRequest = z
  .object({ items: z.array(layoutItem).min(1).max(MAX_LAYOUT_ITEMS) })
  .strict();
export type SaveLayoutRequest = z.infer<typeof saveLayoutRequest>;

/** The caller's layout of a dashboard; null when they use the project's. */
export const dashboardLayout = z.object({ items: z.array(layoutItem).nullable() });
export type DashboardLayout = z.infer<typeof dashboardLayout>;
