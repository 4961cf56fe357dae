import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  alertCreateBody,
  alertCreated,
  alertHistoryResponse,
  alertListResponse,
  alertUpdateBody,
  alertUpdated,
  errorBody,
} from '../../../contract/index.js';
import { actionContext } from '../../http/authenticate.js';
import { idParams as params, memberCallerOf, noStore } from '../../http/member-routes.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'alerts'>;

/**
 * Alerts on KPI widgets (docs/exports.md, "Alerts"): list own, create, change or mute, delete, the
 * history. Thin: the tenant, user and role come from the session; the service checks and scopes.
 */
export function alertsRoutes(services: Deps): FastifyPluginAsyncZod {
  const { alerts } = services;
  return async (app) => {
    noStore(app);

    app.post('/api/v1/alerts', {
      config: { permission: 'alerts:own' },
      schema: {
        tags: ['alerts'],
        summary: 'Set an alert on a KPI widget (above, below, or change by %; by e-mail or signed webhook)',
        body: alertCreateBody,
        response: { 201: alertCreated, 400: errorBody, 404: errorBody, 409: errorBody },
      },
      handler: async (request, reply) => {
        const caller = memberCallerOf(request);
        const created = await alerts.create(caller.tenant.id, caller, request.body, actionContext(request));
        return reply.code(201).send(created);
      },
    });

    app.get('/api/v1/alerts', {
      config: { permission: 'alerts:own' },
      schema: {
        tags: ['alerts'],
        summary: "The caller's alerts with their state and last value",
        response: { 200: alertListResponse },
      },
      handler: async (request) => {
        const caller = memberCallerOf(request);
        return { alerts: await alerts.list(caller.tenant.id, caller) };
      },
    });

    app.patch('/api/v1/alerts/:id', {
      config: { permission: 'alerts:own' },
      schema: {
        tags: ['alerts'],
        summary:
          'Change an alert’s condition, threshold, schedule or channel; mute it until a time, or unmute it',
        params,
        body: alertUpdateBody,
        response: { 200: alertUpdated, 400: errorBody, 404: errorBody },
      },
      handler: async (request) => {
        const caller = memberCallerOf(request);
        return alerts.update(
          caller.tenant.id,
          caller,
          request.params.id,
          request.body,
          actionContext(request),
        );
      },
    });

    app.delete('/api/v1/alerts/:id', {
      config: { permission: 'alerts:own' },
      schema: {
        tags: ['alerts'],
        summary: 'Delete an alert and its history',
        params,
        response: { 204: z.null(), 404: errorBody },
      },
      handler: async (request, reply) => {
        const caller = memberCallerOf(request);
        await alerts.remove(caller.tenant.id, caller, request.params.id, actionContext(request));
        return reply.code(204).send(null);
      },
    });

    app.get('/api/v1/alerts/:id/history', {
      config: { permission: 'alerts:own' },
      schema: {
        tags: ['alerts'],
        summary: "An alert's transitions, newest first, with each notification's status",
        params,
        response: { 200: alertHistoryResponse, 404: errorBody },
      },
      handler: async (request) => {
        const caller = memberCallerOf(request);
        return { events: await alerts.history(caller.tenant.id, caller, request.params.id) };
      },
    });
  };
}
