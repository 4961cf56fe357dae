import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { errorBody, searchQuery, searchResponse } from '../../../contract/index.js';
import { negotiateLocale } from '../../../contract/locale.js';
import { clientAbortSignal } from '../../http/client-abort.js';
import { search } from '../../services/search.service.js';
import { viewerOf } from '../../services/viewer.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'project' | 'runner' | 'dataRateLimit'>;

export function searchRoutes(services: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/search', {
      config: { permission: 'dashboards:read' },
      onRequest: services.dataRateLimit,
      schema: {
        tags: ['dashboards'],
        summary: 'Find values of the filters declared `search: true` on the dashboards the caller may open',
        querystring: searchQuery,
        response: { 200: searchResponse, 400: errorBody, 401: errorBody, 429: errorBody },
      },
      handler: async (request, reply) => {
        reply.header('vary', 'Accept-Language');
        return search(services.project, services.runner, {
          q: request.query.q,
          viewer: viewerOf(request.session),
          signal: clientAbortSignal(reply),
          locale: negotiateLocale(request.headers['accept-language']),
        });
      },
    });
  };
}
