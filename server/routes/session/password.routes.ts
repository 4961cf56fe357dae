import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  changePasswordRequest,
  confirmResetRequest,
  forgotPasswordRequest,
} from '../../../contract/invitations.schema.js';
import { errorBody } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext, principalOf } from '../../http/authenticate.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'ownPassword'>;

/** Users manage their own password: change it signed in, or reset it through an e-mailed link. */
export function passwordRoutes(services: Deps): FastifyPluginAsyncZod {
  const { ownPassword } = services;
  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.post('/api/v1/session/password', {
      config: { permission: 'session:change-password' },
      schema: {
        summary: 'Change your password (other sessions and all API tokens end; this one stays)',
        body: changePasswordRequest,
        response: { 204: z.null(), 400: errorBody, 403: errorBody, 429: errorBody },
      },
      handler: async (request, reply) => {
        await ownPassword.change(
          principalOf(request),
          request.body.currentPassword,
          request.body.newPassword,
          actionContext(request),
        );
        return reply.code(204).send(null);
      },
    });

    app.post('/api/v1/password-resets', {
      config: { permission: 'password-reset:request' },
      schema: {
        summary:
          '"Forgot password?": e-mails a reset link if the address has an account (same answer either way)',
        body: forgotPasswordRequest,
        response: { 202: z.object({ accepted: z.literal(true) }), 429: errorBody, 501: errorBody },
      },
      handler: async (request, reply) => {
        await ownPassword.request(request.body.email, actionContext(request));
        return reply.code(202).send({ accepted: true });
      },
    });

    app.post('/api/v1/password-resets/confirm', {
      config: { permission: 'password-reset:confirm' },
      schema: {
        summary: 'Set a new password through the e-mailed link (every session and token ends)',
        body: confirmResetRequest,
        response: { 204: z.null(), 400: errorBody },
      },
      handler: async (request, reply) => {
        await ownPassword.confirm(request.body.token, request.body.password, actionContext(request));
        return reply.code(204).send(null);
      },
    });
  };
}
