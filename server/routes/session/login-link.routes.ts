import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app-services.js';
import { actionContext } from '../../http/authenticate.js';
import { setSessionCookies, type SessionPresenter } from './present-session.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'loginLinks'>;

/**
 * GET /login/link?token=… — the one-time link demo mode prints: exchanges the token for a session
 * cookie and redirects to the app. A used, unknown or expired token is LINK_INVALID (401).
 */
export function loginLinkRoutes(services: Deps, options: SessionPresenter): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/login/link', {
      config: { permission: 'session:create' },
      schema: { hide: true, querystring: z.object({ token: z.string().min(1).max(100) }).strict() },
      handler: async (request, reply) => {
        const { token, session } = await services.loginLinks.redeem(
          request.query.token,
          actionContext(request),
          request.headers['user-agent'] ?? null,
        );
        setSessionCookies(reply, token, session, options);
        // The token must not linger in history or be sent on as a Referer.
        reply.header('cache-control', 'no-store');
        return reply.redirect('/', 303);
      },
    });
  };
}
