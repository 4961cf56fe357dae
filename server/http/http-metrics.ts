import type { Metrics } from '../observability/metrics.js';
import { appWidePlugin } from './app-wide-plugin.js';

/** Every response's duration in trellis_http_request_duration_seconds, by route pattern (never the raw URL). */
export const httpMetrics = appWidePlugin<{ readonly metrics: Metrics }>(async (app, { metrics }) => {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
});
