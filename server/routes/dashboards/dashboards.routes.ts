import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { dashboardDefinition, dashboardListResponse, errorBody } from '../../../contract/index.js';
import { negotiateLocale } from '../../../contract/locale.js';
import { exportFormatsFor } from '../../exports/export-formats.js';
import { getDashboard, listDashboards, presentDashboard } from '../../services/dashboards.service.js';
import { viewerOf } from '../../services/viewer.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'project' | 'engines'>;

export const dashboardParams = z.object({ dashboard: z.string().min(1).max(100) });

export function dashboardsRoutes(services: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/dashboards', {
      config: { permission: 'dashboards:read' },
      schema: {
        tags: ['dashboards'],
        summary: 'List dashboards',
        response: { 200: dashboardListResponse, 401: errorBody },
      },
      handler: async (request, reply) => {
        // Titles come in the language the app asks for (it sends its UI language as Accept-Language).
        reply.header('vary', 'Accept-Language');
        return listDashboards(
          services.project,
          viewerOf(request.session),
          negotiateLocale(request.headers['accept-language']),
        );
      },
    });

    app.get('/api/v1/dashboards/:dashboard', {
      config: { permission: 'dashboards:read' },
      schema: {
        tags: ['dashboards'],
        summary: 'A dashboard definition: filters and widgets',
        params: dashboardParams,
        response: { 200: dashboardDefinition, 401: errorBody, 404: errorBody },
      },
      handler: async (request, reply) => {
        reply.header('vary', 'Accept-Language');
        const viewer = viewerOf(request.session);
        return presentDashboard(
          services.project,
          getDashboard(services.project, request.params.dashboard, viewer),
          (source) => exportFormatsFor(services.engines.get(source)),
          negotiateLocale(request.headers['accept-language']),
          viewer,
        );
      },
    });
  };
}
