import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { errorBody, filterOptionsQuery, filterOptionsResponse } from '../../../contract/index.js';
import { clientAbortSignal } from '../../http/client-abort.js';
import { filterOptions } from '../../services/filter-options.service.js';
import { viewerOf } from '../../services/viewer.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'dataRateLimit' | 'project' | 'runner'>;

const params = z.object({ dashboard: z.string().min(1).max(100), filter: z.string().min(1).max(100) });

export function filtersRoutes(services: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/dashboards/:dashboard/filters/:filter/options', {
      config: { permission: 'dashboards:read' },
      onRequest: services.dataRateLimit,
      schema: {
        tags: ['dashboards'],
        summary: 'Distinct values for a multi-select filter, most frequent first (capped at `limit`)',
        params,
        querystring: filterOptionsQuery,
        response: {
          200: filterOptionsResponse,
          400: errorBody,
          401: errorBody,
          404: errorBody,
          429: errorBody,
        },
      },
      handler: async (request, reply) =>
        filterOptions(services.project, services.runner, {
          dashboard: request.params.dashboard,
          filter: request.params.filter,
          search: request.query.search,
          limit: request.query.limit,
          viewer: viewerOf(request.session),
          signal: clientAbortSignal(reply),
        }),
    });
  };
}
