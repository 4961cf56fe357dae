import type { FastifyRequest } from 'fastify';
import type { AppServices } from '../../app-services.js';
import type { Dashboard } from '../../config/project/project.types.js';
import { principalOf } from '../../http/authenticate.js';
import type { PresetCaller } from '../../policies/preset-policy.js';
import { tenantOf, type OrganisationId } from '../../policies/tenant.js';
import { getDashboard } from '../../services/dashboards.service.js';
import { viewerOf } from '../../services/viewer.js';

/** The arguments every per-user dashboard-settings service method (presets, layouts) starts with. */
export type DashboardCallerScope = [OrganisationId, PresetCaller, Dashboard];

/**
 * Who asks, and on which dashboard, for the per-user dashboard settings routes (presets, own
 * layouts): organisation, user and role from the session, never the body; the dashboard one the
 * caller's role may open, else DASHBOARD_NOT_FOUND — the same answer for another organisation's.
 */
export function dashboardCaller(
  project: AppServices['project'],
): (request: FastifyRequest, dashboardId: string) => DashboardCallerScope {
  return (request, dashboardId) => {
    const session = principalOf(request);
    const tenant = tenantOf(session);
    const dashboard = getDashboard(project, dashboardId, viewerOf(session));
    return [tenant.id, { organisationId: tenant.id, userId: session.user.id, role: session.role }, dashboard];
  };
}
