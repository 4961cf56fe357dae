import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../../../contract/index.js';
import { viewerOf } from '../../services/viewer.js';
import type { AppServices } from '../../app.js';

const params = z.object({ dashboard: z.string().min(1).max(100) });

/** A comment line now and then keeps proxies and load balancers from closing an idle stream. */
const HEARTBEAT_MS = 25_000;

export function eventsRoutes(services: AppServices): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/dashboards/:dashboard/events', {
      config: { permission: 'dashboards:read' },
      schema: {
        tags: ['dashboards'],
        summary: 'Server-sent events: `invalidated` with the ids of widgets whose data changed',
        description:
          'One stream per open dashboard page. Each `invalidated` event carries `{ widgets, filters }` (ids). ' +
          'Bounded by TRELLIS_MAX_EVENT_STREAMS (TOO_MANY_STREAMS beyond).',
        params,
        response: { 401: errorBody, 404: errorBody, 503: errorBody },
      },
      handler: async (request, reply) => {
        const raw = reply.raw;
        const write = (text: string) => {
          if (!raw.writableEnded) raw.write(text);
        };
        // Subscribing first: an unknown dashboard or a full server is an ordinary JSON error.
        const unsubscribe = services.events.subscribe(request.params.dashboard, viewerOf(request.session), {
          update: (u) => write(`event: invalidated\ndata: ${JSON.stringify(u)}\n\n`),
          end: () => raw.end(),
        });
        reply.hijack();
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'x-accel-buffering': 'no',
          'x-request-id': request.id,
        });
        write('retry: 5000\n: listening\n\n');
        const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
        raw.once('close', () => {
          clearInterval(heartbeat);
          unsubscribe();
          // A stream the client left is never finished, so its connection would not count as idle
          // and would hold up a graceful shutdown: drop it.
          if (!raw.writableFinished) raw.destroy();
        });
      },
    });
  };
}
