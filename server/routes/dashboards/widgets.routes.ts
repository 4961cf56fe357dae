import { serializerCompiler, type FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  drillRowsRequest,
  errorBody,
  widgetDataRequest,
  widgetDataResponse,
} from '../../../contract/index.js';
import { drillRows } from '../../services/drill-rows.service.js';
import { withCacheHeaders } from '../../http/cache-headers.js';
import { clientAbortSignal } from '../../http/client-abort.js';
import { widgetData } from '../../services/widget-data.service.js';
import { viewerOf } from '../../services/viewer.js';
import { serializeWidgetData } from './widget-data.serializer.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'dataRateLimit' | 'project' | 'runner'>;

const params = z.object({ dashboard: z.string().min(1).max(100), widget: z.string().min(1).max(100) });

export function widgetsRoutes(services: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/api/v1/dashboards/:dashboard/widgets/:widget/data', {
      config: { permission: 'dashboards:read' },
      // After authentication (the app's hook), before the body is parsed: a user over their rate costs nothing.
      onRequest: services.dataRateLimit,
      schema: {
        tags: ['dashboards'],
        summary: "A widget's data for the given filter values",
        description:
          'Filter values are keyed by filter id. Tables accept `page` and `sort` (on declared columns only).',
        params,
        body: widgetDataRequest,
        response: {
          200: widgetDataResponse,
          304: z.null().describe('Not modified: the If-None-Match tag is current'),
          400: errorBody,
          401: errorBody,
          404: errorBody,
          422: errorBody,
          429: errorBody,
          503: errorBody,
          504: errorBody,
        },
      },
      // 200s skip re-checking cached rows cell by cell on every hit (widget-data.serializer.ts).
      serializerCompiler: (route) =>
        route.httpStatus === '200'
          ? (data: unknown) => serializeWidgetData(data, route.method, route.url)
          : // Fastify hands each status's own schema here; its types name the whole route schema.
            serializerCompiler(route as unknown as Parameters<typeof serializerCompiler>[0]),
      handler: async (request, reply) => {
        const result = await widgetData(services.project, services.runner, {
          dashboard: request.params.dashboard,
          widget: request.params.widget,
          request: request.body,
          viewer: viewerOf(request.session),
          signal: clientAbortSignal(reply),
        });
        return reply.send(withCacheHeaders(request, reply, result));
      },
    });

    app.post('/api/v1/dashboards/:dashboard/widgets/:widget/rows', {
      config: { permission: 'dashboards:read' },
      onRequest: services.dataRateLimit,
      schema: {
        tags: ['dashboards'],
        summary: 'The rows behind a mark of a widget that declares `drill.rows`',
        description:
          "The mark's values are keyed by the widget's own result columns and become bound filters; the columns shown are the project's.",
        params,
        body: drillRowsRequest,
        response: {
          200: widgetDataResponse,
          400: errorBody,
          401: errorBody,
          404: errorBody,
          422: errorBody,
          429: errorBody,
          503: errorBody,
          504: errorBody,
        },
      },
      handler: async (request, reply) =>
        drillRows(services.project, services.runner, {
          dashboard: request.params.dashboard,
          widget: request.params.widget,
          request: request.body,
          viewer: viewerOf(request.session),
          signal: clientAbortSignal(reply),
        }),
    });
  };
}
