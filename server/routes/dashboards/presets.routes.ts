import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import {
  createPresetRequest,
  defaultPresetRequest,
  errorBody,
  filterPreset,
  presetIdParam,
  presetList,
  updatePresetRequest,
} from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext } from '../../http/authenticate.js';
import { dashboardCaller } from './dashboard-caller.js';
import { dashboardParams } from './dashboards.routes.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'project' | 'presets'>;

const presetParams = dashboardParams.extend({ preset: presetIdParam });

/**
 * Saved filter presets (docs/dashboards.md). Thin: the organisation, user and role come from the
 * session; the dashboard must be one the role may open (else DASHBOARD_NOT_FOUND); the presets service
 * scopes, checks and audits.
 */
export function presetsRoutes(services: Deps): FastifyPluginAsyncZod {
  const { presets, project } = services;
  const scope = dashboardCaller(project);

  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.get('/api/v1/dashboards/:dashboard/presets', {
      config: { permission: 'preset:list' },
      schema: {
        tags: ['presets'],
        summary: 'The caller’s own and the organisation’s shared presets of a dashboard, and their default',
        params: dashboardParams,
        response: { 200: presetList, 401: errorBody, 404: errorBody },
      },
      handler: async (request) => presets.list(...scope(request, request.params.dashboard)),
    });

    app.get('/api/v1/dashboards/:dashboard/presets/:preset', {
      config: { permission: 'preset:list' },
      schema: {
        tags: ['presets'],
        summary: 'One preset, its filters checked against the dashboard as it is now (for ?preset=)',
        params: presetParams,
        response: { 200: filterPreset, 401: errorBody, 404: errorBody },
      },
      handler: async (request) =>
        presets.get(...scope(request, request.params.dashboard), request.params.preset),
    });

    app.post('/api/v1/dashboards/:dashboard/presets', {
      config: { permission: 'preset:create' },
      schema: {
        tags: ['presets'],
        summary: 'Save the given filter values as a preset (shared: editors and admins)',
        params: dashboardParams,
        body: createPresetRequest,
        response: {
          201: filterPreset,
          400: errorBody,
          401: errorBody,
          403: errorBody,
          404: errorBody,
          409: errorBody,
          413: errorBody,
        },
      },
      handler: async (request, reply) => {
        const created = await presets.create(
          ...scope(request, request.params.dashboard),
          request.body,
          actionContext(request),
        );
        return reply.code(201).send(created);
      },
    });

    app.patch('/api/v1/dashboards/:dashboard/presets/:preset', {
      config: { permission: 'preset:update' },
      schema: {
        tags: ['presets'],
        summary: 'Rename, re-save or (un)share a preset (its owner; an admin for a shared one)',
        params: presetParams,
        body: updatePresetRequest,
        response: {
          200: filterPreset,
          400: errorBody,
          401: errorBody,
          403: errorBody,
          404: errorBody,
          409: errorBody,
          413: errorBody,
        },
      },
      handler: async (request) =>
        presets.update(
          ...scope(request, request.params.dashboard),
          request.params.preset,
          request.body,
          actionContext(request),
        ),
    });

    app.delete('/api/v1/dashboards/:dashboard/presets/:preset', {
      config: { permission: 'preset:delete' },
      schema: {
        tags: ['presets'],
        summary: 'Delete a preset (its owner; an admin for a shared one)',
        params: presetParams,
        response: { 204: z.null(), 401: errorBody, 403: errorBody, 404: errorBody },
      },
      handler: async (request, reply) => {
        await presets.remove(
          ...scope(request, request.params.dashboard),
          request.params.preset,
          actionContext(request),
        );
        return reply.code(204).send(null);
      },
    });

    app.put('/api/v1/dashboards/:dashboard/default-preset', {
      config: { permission: 'preset:default' },
      schema: {
        tags: ['presets'],
        summary: 'The caller’s default preset of the dashboard (null: none)',
        params: dashboardParams,
        body: defaultPresetRequest,
        response: { 204: z.null(), 400: errorBody, 401: errorBody, 404: errorBody },
      },
      handler: async (request, reply) => {
        await presets.setDefault(
          ...scope(request, request.params.dashboard),
          request.body.presetId,
          actionContext(request),
        );
        return reply.code(204).send(null);
      },
    });
  };
}
