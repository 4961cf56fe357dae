import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { errorBody, loginRequest, sessionInfo, type SessionInfo } from '../../../contract/index.js';
import type { AppServices } from '../../app.js';
import type { ActiveSession } from '../../auth/sessions.service.js';
import { TrellisError } from '../../errors.js';
import { actionContext } from '../../http/authenticate.js';
import { clearSessionCookie, readSessionToken, setSessionCookie } from '../../http/session-cookie.js';
import { abilitiesOf } from '../../policies/roles.js';

export function sessionRoutes(
  services: AppServices,
  options: { secureCookie: boolean },
): FastifyPluginAsyncZod {
  const { secureCookie } = options;
  const present = (session: ActiveSession): SessionInfo => ({
    user: session.user,
    organisation: session.organisation,
    role: session.role,
    abilities: [...abilitiesOf(session.role)],
    expiresAt: new Date(session.expiresAt).toISOString(),
    idleTimeoutSeconds: services.sessions.idleTimeoutSeconds,
  });

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
        const { token, session } = await services.sessions.login(
          request.body.email,
          request.body.password,
          actionContext(request),
          readSessionToken(request, secureCookie),
        );
        setSessionCookie(reply, token, {
          secure: secureCookie,
          maxAgeSeconds: (session.expiresAt - session.createdAt) / 1000,
        });
        return present(session);
      },
    });

    app.get('/api/v1/session', {
      config: { permission: 'session:read' },
      schema: {
        summary: 'The signed-in user, organisation, role and abilities',
        response: { 200: sessionInfo, 401: errorBody },
      },
      handler: async (request) => {
        if (!request.session) throw new TrellisError('UNAUTHENTICATED');
        return present(request.session);
      },
    });

    app.delete('/api/v1/session', {
      config: { permission: 'session:delete' },
      schema: { summary: 'Sign out: revokes the session and clears the cookie', response: { 204: z.null() } },
      handler: async (request, reply) => {
        await services.sessions.logout(readSessionToken(request, secureCookie), actionContext(request));
        clearSessionCookie(reply, secureCookie);
        return reply.code(204).send(null);
      },
    });
  };
}
