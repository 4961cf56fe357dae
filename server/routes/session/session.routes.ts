import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { errorBody, localeRequest, loginRequest, sessionInfo } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { clearCsrfCookie, csrfTokenFor, setCsrfCookie } from '../../http/csrf.js';
import { clearSessionCookie, readSessionToken } from '../../http/session-cookie.js';
import { knownDevice, setDeviceCookie } from '../../http/device-cookie.js';
import {
  presentSession,
  sessionLocale,
  setSessionCookies,
  type SessionPresenter,
} from './present-session.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'sessions' | 'userSettings'>;

export function sessionRoutes(services: Deps, options: SessionPresenter): FastifyPluginAsyncZod {
  const { secureCookie } = options;
  return async (app) => {
    // Session answers are about one person: never stored by a shared cache or the browser's.
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.post('/api/v1/session', {
      config: { permission: 'session:create' },
      schema: {
        summary: 'Sign in: sets the session cookie',
        body: loginRequest,
        response: { 200: sessionInfo, 401: errorBody, 429: errorBody },
      },
      handler: async (request, reply) => {
        let device: string | null = null;
        const { token, session } = await services.sessions.login(
          request.body.email,
          request.body.password,
          actionContext(request),
          readSessionToken(request, secureCookie),
          request.headers['user-agent'] ?? null,
          (email) => (device = knownDevice(request, secureCookie, options.secret, email)),
        );
        setSessionCookies(reply, token, session, options);
        setDeviceCookie(reply, {
          secure: secureCookie,
          secret: options.secret,
          email: session.user.email,
          nonce: device,
        });
        const locale = await sessionLocale(
          services.userSettings,
          session.user.id,
          request.headers['accept-language'],
        );
        return presentSession(session, options, locale);
      },
    });

    app.get('/api/v1/session', {
      config: { permission: 'session:read' },
      schema: {
        summary: 'The signed-in user, organisation, role, abilities and CSRF token',
        response: { 200: sessionInfo, 401: errorBody },
      },
      handler: async (request, reply) => {
        const session = principalOf(request);
        // Re-sent so a page opened before the cookie existed (or after it was cleared) gets it back.
        setCsrfCookie(reply, csrfTokenFor(options.secret, session.idHash), {
          secure: secureCookie,
          // lastSeenAt is "now" on the session service's clock (the one tests move).
          maxAgeSeconds: (session.expiresAt - session.lastSeenAt) / 1000,
        });
        const locale = await sessionLocale(
          services.userSettings,
          session.user.id,
          request.headers['accept-language'],
        );
        return presentSession(session, options, locale);
      },
    });

    app.put('/api/v1/session/locale', {
      config: { permission: 'session:set-locale' },
      schema: {
        summary: "Keep the signed-in user's language (every organisation, every browser)",
        body: localeRequest,
        response: { 204: z.null(), 401: errorBody },
      },
      handler: async (request, reply) => {
        await services.userSettings.setLocale(principalOf(request).user.id, request.body.locale);
        return reply.code(204).send(null);
      },
    });

    app.delete('/api/v1/session', {
      config: { permission: 'session:delete' },
      schema: { summary: 'Sign out: revokes the session and clears the cookie', response: { 204: z.null() } },
      handler: async (request, reply) => {
        await services.sessions.logout(readSessionToken(request, secureCookie), actionContext(request));
        clearSessionCookie(reply, secureCookie);
        clearCsrfCookie(reply, secureCookie);
        return reply.code(204).send(null);
      },
    });
  };
}
