import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  acceptedInvitation,
  invitationPreview,
  invitationTokenRequest,
  registerRequest,
} from '../../../contract/invitations.schema.js';
import { errorBody } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext, principalOf } from '../../http/authenticate.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'invitations'>;

/**
 * The invited person's side (the `/invite?token=…` page). The token travels in POST bodies, never in
 * an API URL, so it stays out of access logs.
 */
export function invitationRoutes(services: Deps): FastifyPluginAsyncZod {
  const { invitations } = services;
  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.post('/api/v1/invitations/preview', {
      config: { permission: 'invitation:preview' },
      schema: {
        summary: 'What an invitation link offers: organisation, email, role, expiry',
        body: invitationTokenRequest,
        response: { 200: invitationPreview, 404: errorBody },
      },
      handler: async (request) => invitations.preview(request.body.token),
    });

    app.post('/api/v1/invitations/accept', {
      config: { permission: 'invitation:accept' },
      schema: {
        summary: 'Join the organisation, signed in as the invited address',
        body: invitationTokenRequest,
        response: { 200: acceptedInvitation, 403: errorBody, 404: errorBody },
      },
      handler: async (request) =>
        invitations.accept(principalOf(request), request.body.token, actionContext(request)),
    });

    app.post('/api/v1/invitations/register', {
      config: { permission: 'invitation:register' },
      schema: {
        summary: 'Create the invited account with your own password (then sign in)',
        body: registerRequest,
        response: { 201: z.object({ email: z.string() }), 404: errorBody, 409: errorBody },
      },
      handler: async (request, reply) => {
        const created = await invitations.register(
          request.body.token,
          request.body.password,
          actionContext(request),
        );
        return reply.code(201).send(created);
      },
    });
  };
}
