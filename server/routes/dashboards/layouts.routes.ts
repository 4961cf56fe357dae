import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { dashboardLayout, errorBody, saveLayoutRequest } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext } from '../../http/authenticate.js';
import { dashboardCaller } from './dashboard-caller.js';
import { dashboardParams } from './dashboards.routes.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'project' | 'layouts'>;

/**
 * The caller's own layout of a dashboard (docs/dashboards.md, "Own layouts"). Thin, as the presets
 * routes: organisation and user from the session, the dashboard one the role may open (else
 * DASHBOARD_NOT_FOUND, also for another organisation's), the layouts service checks and audits.
 */
export function layoutsRoutes(services: Deps): FastifyPluginAsyncZod {
  const { layouts, project } = services;
  const scope = dashboardCaller(project);

  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.get('/api/v1/dashboards/:dashboard/layout', {
      config: { permission: 'layout:read' },
      schema: {
        tags: ['layouts'],
        summary: 'The caller’s own layout of a dashboard (items null: the project’s layout)',
        params: dashboardParams,
        response: { 200: dashboardLayout, 401: errorBody, 404: errorBody },
      },
      handler: async (request) => layouts.get(...scope(request, request.params.dashboard)),
    });

    app.put('/api/v1/dashboards/:dashboard/layout', {
      config: { permission: 'layout:write' },
      schema: {
        tags: ['layouts'],
        summary: 'Save the caller’s own layout of a dashboard (its widget ids only, bounded sizes)',
        params: dashboardParams,
        body: saveLayoutRequest,
        response: { 200: dashboardLayout, 400: errorBody, 401: errorBody, 404: errorBody },
      },
      handler: async (request) =>
        layouts.save(...scope(request, request.params.dashboard), request.body.items, actionContext(request)),
    });

    app.delete('/api/v1/dashboards/:dashboard/layout', {
      config: { permission: 'layout:write' },
      schema: {
        tags: ['layouts'],
        summary: 'Back to the project’s layout of the dashboard',
        params: dashboardParams,
        response: { 204: z.null(), 401: errorBody, 404: errorBody },
      },
      handler: async (request, reply) => {
        await layouts.reset(...scope(request, request.params.dashboard), actionContext(request));
        return reply.code(204).send(null);
      },
    });
  };
}
