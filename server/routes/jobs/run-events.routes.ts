import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { errorBody } from '../../../contract/index.js';
import type { AppServices } from '../../app.js';
import { principalOf } from '../../http/authenticate.js';

/** A comment line now and then keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 25_000;

/** GET /api/v1/runs/events: `run` and `log` events of the caller's organisation (SSE). */
export function runEventsRoutes(services: AppServices): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/runs/events', {
      config: { permission: 'pipeline:read' },
      schema: {
        tags: ['jobs'],
        summary: 'Server-sent events: `run` (a RunSummary) and `log` (a RunLogEvent)',
        description: 'Bounded by TRELLIS_MAX_EVENT_STREAMS (TOO_MANY_STREAMS beyond).',
        response: { 401: errorBody, 503: errorBody },
      },
      handler: async (request, reply) => {
        const raw = reply.raw;
        const write = (text: string) => {
          if (!raw.writableEnded) raw.write(text);
        };
        // Subscribing first: a full server is an ordinary JSON error.
        const unsubscribe = services.jobs.events.subscribe(principalOf(request).organisation.slug, {
          run: (run) => write(`event: run\ndata: ${JSON.stringify(run)}\n\n`),
          log: (event) => write(`event: log\ndata: ${JSON.stringify(event)}\n\n`),
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
          if (!raw.writableFinished) raw.destroy();
        });
      },
    });
  };
}
