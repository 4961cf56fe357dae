import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  createdInvitation,
  createInvitationRequest,
  invitationList,
} from '../../../contract/invitations.schema.js';
import { errorBody } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { tenantOf } from '../../policies/tenant.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'invitations'>;

/** Invitations of the caller's organisation (admins): invite, list pending, revoke. */
export function invitationsAdminRoutes(services: Deps): FastifyPluginAsyncZod {
  const { invitations } = services;
  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.get('/api/v1/admin/invitations', {
      config: { permission: 'invitation:list' },
      schema: { summary: 'Pending invitations', response: { 200: invitationList, 403: errorBody } },
      handler: async (request) => ({
        invitations: await invitations.list(tenantOf(principalOf(request)).id),
      }),
    });

    app.post('/api/v1/admin/invitations', {
      config: { permission: 'invitation:create' },
      schema: {
        summary: 'Invite an email to the organisation (the same answer whether or not it has an account)',
        body: createInvitationRequest,
        response: { 201: createdInvitation, 403: errorBody, 409: errorBody, 502: errorBody },
      },
      handler: async (request, reply) => {
        const created = await invitations.create(
          tenantOf(principalOf(request)).id,
          request.body,
          actionContext(request),
        );
        return reply.code(201).send(created);
      },
    });

    app.delete('/api/v1/admin/invitations/:id', {
      config: { permission: 'invitation:revoke' },
      schema: {
        summary: 'Revoke a pending invitation',
        params: z.object({ id: z.string().min(1).max(100) }),
        response: { 204: z.null(), 404: errorBody },
      },
      handler: async (request, reply) => {
        await invitations.revoke(
          tenantOf(principalOf(request)).id,
          request.params.id,
          actionContext(request),
        );
        return reply.code(204).send(null);
      },
    });
  };
}
