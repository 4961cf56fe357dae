import { z } from 'zod';
import { LAYOUT_COLUMNS, MAX_LAYOUT_HEIGHT, MAX_LAYOUT_ITEMS, MAX_LAYOUT_Y } from './layout-bounds.js';

/** One widget's place in a user's own layout (docs/dashboards.md, "Own layouts"); bounds in layout-bounds.ts. */
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
