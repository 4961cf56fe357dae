import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { myOrganisations, mySessionList, switchOrganisationRequest } from '../../../contract/admin.schema.js';
import { errorBody, sessionInfo } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { readSessionToken } from '../../http/session-cookie.js';
import {
  presentSession,
  sessionLocale,
  setSessionCookies,
  type SessionPresenter,
} from './present-session.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'ownSessions' | 'userSettings'>;

const sessionIdParam = z.object({ id: z.string().min(1).max(64) });

/** The caller's own sessions and organisations (any role; never with an API token). */
export function ownSessionsRoutes(services: Deps, options: SessionPresenter): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.get('/api/v1/session/organisations', {
      config: { permission: 'session:list-own' },
      schema: {
        summary: 'The organisations the caller belongs to',
        response: { 200: myOrganisations, 401: errorBody },
      },
      handler: async (request) => ({
        organisations: await services.ownSessions.organisations(principalOf(request)),
      }),
    });

    app.post('/api/v1/session/organisation', {
      config: { permission: 'session:switch-organisation' },
      schema: {
        summary: 'Switch to another organisation: a new session (rotated cookie)',
        body: switchOrganisationRequest,
        response: { 200: sessionInfo, 403: errorBody },
      },
      handler: async (request, reply) => {
        const { token, session } = await services.ownSessions.switchOrganisation(
          principalOf(request),
          request.body.organisationId,
          readSessionToken(request, options.secureCookie),
          request.headers['user-agent'] ?? null,
          actionContext(request),
        );
        setSessionCookies(reply, token, session, options);
        const locale = await sessionLocale(
          services.userSettings,
          session.user.id,
          request.headers['accept-language'],
        );
        return presentSession(session, options, locale);
      },
    });

    app.get('/api/v1/session/sessions', {
      config: { permission: 'session:list-own' },
      schema: { summary: "The caller's live sessions", response: { 200: mySessionList, 401: errorBody } },
      handler: async (request) => ({ sessions: await services.ownSessions.list(principalOf(request)) }),
    });

    app.delete('/api/v1/session/sessions/:id', {
      config: { permission: 'session:revoke-own' },
      schema: {
        summary: 'Revoke one of your sessions',
        params: sessionIdParam,
        response: { 204: z.null(), 404: errorBody },
      },
      handler: async (request, reply) => {
        await services.ownSessions.revoke(principalOf(request), request.params.id, actionContext(request));
        return reply.code(204).send(null);
      },
    });

    app.delete('/api/v1/session/sessions', {
      config: { permission: 'session:revoke-own' },
      schema: { summary: 'Revoke every session but this one', response: { 204: z.null() } },
      handler: async (request, reply) => {
        await services.ownSessions.revokeOthers(principalOf(request), actionContext(request));
        return reply.code(204).send(null);
      },
    });
  };
}
