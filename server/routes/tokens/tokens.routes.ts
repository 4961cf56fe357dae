import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { apiTokenList, createdToken, createTokenRequest } from '../../../contract/admin.schema.js';
import { errorBody } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { tenantOf } from '../../policies/tenant.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'tokens'>;

/** The caller's API tokens in their current organisation (a browser session only: tokens cannot mint tokens). */
export function tokensRoutes(services: Deps): FastifyPluginAsyncZod {
  const { tokens } = services;
  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.get('/api/v1/tokens', {
      config: { permission: 'token:list' },
      schema: { summary: 'Your API tokens', response: { 200: apiTokenList } },
      handler: async (request) => ({
        tokens: await tokens.list(tenantOf(principalOf(request)).id, principalOf(request)),
      }),
    });

    app.post('/api/v1/tokens', {
      config: { permission: 'token:create' },
      schema: {
        summary: 'Create an API token (the secret is shown once)',
        body: createTokenRequest,
        response: { 201: createdToken, 403: errorBody, 409: errorBody },
      },
      handler: async (request, reply) => {
        const caller = principalOf(request);
        const created = await tokens.create(
          tenantOf(caller).id,
          caller,
          request.body,
          actionContext(request),
        );
        return reply.code(201).send(created);
      },
    });

    app.delete('/api/v1/tokens/:id', {
      config: { permission: 'token:revoke' },
      schema: {
        summary: 'Revoke an API token',
        params: z.object({ id: z.string().min(1).max(100) }),
        response: { 204: z.null(), 404: errorBody },
      },
      handler: async (request, reply) => {
        const caller = principalOf(request);
        await tokens.revoke(tenantOf(caller).id, caller, request.params.id, actionContext(request));
        return reply.code(204).send(null);
      },
    });
  };
}
