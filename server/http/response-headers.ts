import { appWidePlugin } from './app-wide-plugin.js';
import { securityHeaders } from './security-headers.js';

export interface ResponseHeadersOptions extends Record<string, unknown> {
  readonly publicOrigin: string | undefined;
  /** Set when the app is closing (AppServices.lifecycle). */
  readonly lifecycle: { readonly stopping: boolean };
}

/**
 * The headers every response carries: its request id (so a user's report finds the log line), the
 * security headers (security-headers.ts), and — while draining before shutdown — `connection: close`.
 */
export const responseHeaders = appWidePlugin<ResponseHeadersOptions>(async (app, options) => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    securityHeaders(reply, options.publicOrigin);
    // Draining before shutdown: the client's next request opens a new connection, which the load
    // balancer sends elsewhere — instead of a kept-alive one that would be closed under it.
    if (options.lifecycle.stopping) reply.header('connection', 'close');
    return payload;
  });
});
