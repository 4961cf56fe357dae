import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'engines' | 'lifecycle' | 'metrics'>;

const readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  sources: z.record(z.string(), z.object({ ok: z.boolean(), inFlight: z.number(), queued: z.number() })),
});

export function healthRoutes(services: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    // Liveness: the process answers. No I/O, so a slow database never gets a healthy pod restarted.
    app.get('/healthz', {
      config: { permission: 'public' },
      schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ status: 'ok' as const }),
    });

    // Readiness: every source answers a trivial query and the server is not shutting down.
    app.get('/readyz', {
      config: { permission: 'public' },
      schema: { hide: true, response: { 200: readiness, 503: readiness } },
      handler: async (_request, reply) => {
        const sources: z.infer<typeof readiness>['sources'] = {};
        await Promise.all(
          [...services.engines].map(async ([name, engine]) => {
            const ok = await engine.ping().then(
              () => true,
              () => false,
            );
            sources[name] = { ok, ...engine.stats() };
          }),
        );
        const ready = !services.lifecycle.stopping && Object.values(sources).every((s) => s.ok);
        return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', sources });
      },
    });

    app.get('/metrics', {
      config: { permission: 'public' },
      schema: { hide: true },
      handler: async (_request, reply) => {
        const body = await services.metrics.registry.metrics();
        return reply.type(services.metrics.registry.contentType).send(body);
      },
    });
  };
}
