import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  deliveryListResponse,
  errorBody,
  subscription,
  subscriptionCreateBody,
  subscriptionCreated,
  subscriptionListResponse,
  subscriptionUpdateBody,
} from '../../../contract/index.js';
import { actionContext } from '../../http/authenticate.js';
import { idParams as params, memberCallerOf, noStore } from '../../http/member-routes.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'subscriptions'>;

/**
 * Scheduled reports (docs/exports.md): subscribe, list, edit, pause, resume, delete, the delivery log.
 * Thin: the tenant, user and role come from the session; the service checks and scopes.
 */
export function subscriptionsRoutes(services: Deps): FastifyPluginAsyncZod {
  const { subscriptions } = services;
  return async (app) => {
    noStore(app);

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
        const caller = memberCallerOf(request);
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
        const caller = memberCallerOf(request);
        return { subscriptions: await subscriptions.list(caller.tenant.id, caller) };
      },
    });

    app.patch('/api/v1/subscriptions/:id', {
      config: { permission: 'subscriptions:own' },
      schema: {
        tags: ['subscriptions'],
        summary:
          'Edit a subscription (schedule, format, filters or preset, channel), checked as a new one is',
        params,
        body: subscriptionUpdateBody,
        response: {
          200: subscriptionCreated,
          400: errorBody,
          403: errorBody,
          404: errorBody,
          422: errorBody,
        },
      },
      handler: async (request) => {
        const caller = memberCallerOf(request);
        return subscriptions.update(
          caller.tenant.id,
          caller,
          request.params.id,
          request.body,
          actionContext(request),
        );
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
          const caller = memberCallerOf(request);
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
        const caller = memberCallerOf(request);
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
        const caller = memberCallerOf(request);
        return { deliveries: await subscriptions.deliveries(caller.tenant.id, caller, request.params.id) };
      },
    });
  };
}
