import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { errorBody } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { principalOf } from '../../http/authenticate.js';
import { tenantOf } from '../../policies/tenant.js';
import { serveEventStream } from '../../http/event-stream.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'jobs' | 'streamQuotas'>;

/** GET /api/v1/runs/events: `run` and `log` events of the caller's organisation (SSE). */
export function runEventsRoutes(services: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/runs/events', {
      config: { permission: 'pipeline:read' },
      schema: {
        tags: ['jobs'],
        summary: 'Server-sent events: `run` (a RunSummary) and `log` (a RunLogEvent)',
        description:
          'Bounded by TRELLIS_MAX_EVENT_STREAMS in all and TRELLIS_MAX_STREAMS_PER_USER per user (TOO_MANY_STREAMS beyond).',
        response: { 401: errorBody, 503: errorBody },
      },
      handler: async (request, reply) => {
        const principal = principalOf(request);
        serveEventStream(
          request,
          reply,
          (stream) =>
            services.jobs.events.subscribe(tenantOf(principal).slug, {
              run: (run) => stream.send('run', run),
              log: (event) => stream.send('log', event),
              end: () => stream.end(),
            }),
          { of: services.streamQuotas.runs, holder: principal.user.id },
        );
      },
    });
  };
}
