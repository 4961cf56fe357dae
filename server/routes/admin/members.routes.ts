import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  member,
  memberList,
  organisationInfo,
  renameOrganisationRequest,
  resetPasswordRequest,
  updateMemberRequest,
} from '../../../contract/admin.schema.js';
import { errorBody } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { tenantOf } from '../../policies/tenant.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'members'>;

const userIdParam = z.object({ userId: z.string().min(1).max(100) });

/**
 * The organisation's members and the organisation itself (admins of it; the tenant is the session's,
 * made by tenantOf). Members join by invitation (invitations.routes.ts), never by being added.
 */
export function membersRoutes(services: Deps): FastifyPluginAsyncZod {
  const { members } = services;
  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.get('/api/v1/admin/members', {
      config: { permission: 'member:list' },
      schema: { summary: "The organisation's members", response: { 200: memberList, 403: errorBody } },
      handler: async (request) => ({ members: await members.list(tenantOf(principalOf(request)).id) }),
    });

    app.patch('/api/v1/admin/members/:userId', {
      config: { permission: 'member:update' },
      schema: {
        summary:
          "Change a member's role, or disable/enable the user (only a user of this organisation alone)",
        params: userIdParam,
        body: updateMemberRequest,
        response: { 200: member, 403: errorBody, 404: errorBody, 409: errorBody },
      },
      handler: async (request) =>
        members.update(
          tenantOf(principalOf(request)).id,
          request.params.userId,
          request.body,
          actionContext(request),
        ),
    });

    app.delete('/api/v1/admin/members/:userId', {
      config: { permission: 'member:remove' },
      schema: {
        summary: 'Remove a member (this membership only)',
        params: userIdParam,
        response: { 204: z.null(), 404: errorBody, 409: errorBody },
      },
      handler: async (request, reply) => {
        await members.remove(
          tenantOf(principalOf(request)).id,
          request.params.userId,
          actionContext(request),
        );
        return reply.code(204).send(null);
      },
    });

    app.post('/api/v1/admin/members/:userId/password', {
      config: { permission: 'member:reset-password' },
      schema: {
        summary:
          "Set a member's password (only a user of this organisation alone; ends their sessions and tokens)",
        params: userIdParam,
        body: resetPasswordRequest,
        response: { 204: z.null(), 403: errorBody, 404: errorBody },
      },
      handler: async (request, reply) => {
        await members.resetPassword(
          tenantOf(principalOf(request)).id,
          request.params.userId,
          request.body.password,
          actionContext(request),
        );
        return reply.code(204).send(null);
      },
    });

    app.get('/api/v1/admin/organisation', {
      config: { permission: 'organisation:read' },
      schema: { summary: "The caller's organisation", response: { 200: organisationInfo } },
      handler: async (request) => members.organisation(tenantOf(principalOf(request)).id),
    });

    app.patch('/api/v1/admin/organisation', {
      config: { permission: 'organisation:rename' },
      schema: {
        summary: 'Rename the organisation',
        body: renameOrganisationRequest,
        response: { 200: organisationInfo },
      },
      handler: async (request) =>
        members.renameOrganisation(
          tenantOf(principalOf(request)).id,
          request.body.name,
          actionContext(request),
        ),
    });
  };
}
