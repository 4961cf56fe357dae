import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../../../contract/index.js';
import { principalOf } from '../../http/authenticate.js';
import { serveEventStream } from '../../http/event-stream.js';
import { viewerOf } from '../../services/viewer.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'events' | 'streamQuotas'>;

const params = z.object({ dashboard: z.string().min(1).max(100) });

export function eventsRoutes(services: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/dashboards/:dashboard/events', {
      config: { permission: 'dashboards:read' },
      schema: {
        tags: ['dashboards'],
        summary: 'Server-sent events: `invalidated` with the ids of widgets whose data changed',
        description:
          'One stream per open dashboard page. Each `invalidated` event carries `{ widgets, filters }` (ids). ' +
          'Bounded by TRELLIS_MAX_EVENT_STREAMS in all and TRELLIS_MAX_STREAMS_PER_USER per user (TOO_MANY_STREAMS beyond).',
        params,
        response: { 401: errorBody, 404: errorBody, 503: errorBody },
      },
      handler: async (request, reply) => {
        serveEventStream(
          request,
          reply,
          (stream) =>
            services.events.subscribe(request.params.dashboard, viewerOf(request.session), {
              update: (u) => stream.send('invalidated', u),
              end: () => stream.end(),
            }),
          { of: services.streamQuotas.dashboards, holder: principalOf(request).user.id },
        );
      },
    });
  };
}
