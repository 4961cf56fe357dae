import { z } from 'zod';

/**
 * Sent on a dashboard's update stream (`GET /api/v1/dashboards/:dashboard/events`, server-sent events
 * named `invalidated`) when data it shows has changed: refetch these widgets and filter option lists.
 */
export const dashboardUpdate = z.object({
  widgets: z.array(z.string()),
  filters: z.array(z.string()),
});
export type DashboardUpdate = z.infer<typeof dashboardUpdate>;
