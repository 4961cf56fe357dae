import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  deliveryListResponse,
  errorBody,
  subscription,
  subscriptionCreateBody,
  subscriptionCreated,
  subscriptionListResponse,
} from '../../../contract/index.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { tenantOf } from '../../policies/tenant.js';
import type { SubscriptionCaller } from '../../services/report-subscriptions.service.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'subscriptions'>;

const params = z.object({ id: z.string().min(1).max(100) });

function callerOf(request: FastifyRequest): SubscriptionCaller {
  const session = principalOf(request);
  return {
    tenant: tenantOf(session),
    userId: session.user.id,
    role: session.role,
    email: session.user.email,
  };
}

/**
 * Scheduled reports (docs/exports.md): subscribe, list, pause, resume, delete, the delivery log.
 * Thin: the tenant, user and role come from the session; the service checks and scopes.
 */
export function subscriptionsRoutes(services: Deps): FastifyPluginAsyncZod {
  const { subscriptions } = services;
  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.post('/api/v1/subscriptions', {
      config: { permission: 'subscriptions:own' },
      schema: {
        tags: ['subscriptions'],
        summary:
          'Subscribe to a dashboard report (PDF or CSV, by e-mail or signed webhook, on a cron schedule)',
        body: subscriptionCreateBody,
        response: {
          201: subscriptionCreated,
          400: errorBody,
          403: errorBody,
          404: errorBody,
          409: errorBody,
          422: errorBody,
        },
      },
      handler: async (request, reply) => {
        const caller = callerOf(request);
        const created = await subscriptions.create(
          caller.tenant.id,
          caller,
          request.body,
          actionContext(request),
        );
        return reply.code(201).send(created);
      },
    });

    app.get('/api/v1/subscriptions', {
      config: { permission: 'subscriptions:own' },
      schema: {
        tags: ['subscriptions'],
        summary: "The caller's subscriptions (admins: the organisation's), with their last delivery",
        response: { 200: subscriptionListResponse },
      },
      handler: async (request) => {
        const caller = callerOf(request);
        return { subscriptions: await subscriptions.list(caller.tenant.id, caller) };
      },
    });

    for (const [action, active] of [
      ['pause', false],
      ['resume', true],
    ] as const) {
      app.post(`/api/v1/subscriptions/:id/${action}`, {
        config: { permission: 'subscriptions:own' },
        schema: {
          tags: ['subscriptions'],
          summary: active ? 'Resume a subscription (from its next tick)' : 'Pause a subscription',
          params,
          response: { 200: subscription, 404: errorBody },
        },
        handler: async (request) => {
          const caller = callerOf(request);
          return subscriptions.setActive(
            caller.tenant.id,
            caller,
            request.params.id,
            active,
            actionContext(request),
          );
        },
      });
    }

    app.delete('/api/v1/subscriptions/:id', {
      config: { permission: 'subscriptions:own' },
      schema: {
        tags: ['subscriptions'],
        summary: 'Delete a subscription and its delivery log',
        params,
        response: { 204: z.null(), 404: errorBody },
      },
      handler: async (request, reply) => {
        const caller = callerOf(request);
        await subscriptions.remove(caller.tenant.id, caller, request.params.id, actionContext(request));
        return reply.code(204).send(null);
      },
    });

    app.get('/api/v1/subscriptions/:id/deliveries', {
      config: { permission: 'subscriptions:own' },
      schema: {
        tags: ['subscriptions'],
        summary: "A subscription's delivery log, newest first, with each delivery's status",
        params,
        response: { 200: deliveryListResponse, 404: errorBody },
      },
      handler: async (request) => {
        const caller = callerOf(request);
        return { deliveries: await subscriptions.deliveries(caller.tenant.id, caller, request.params.id) };
      },
    });
  };
}
