import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import {
  dashboardPdfBody,
  errorBody,
  exportFile,
  exportListResponse,
  exportStartBody,
  exportStartResponse,
} from '../../../contract/index.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { idParams as params, memberCallerOf, noStore } from '../../http/member-routes.js';
import type { ExportCaller } from '../../services/export-jobs.service.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'exportJobs'>;

/** The member, and their organisation's name for a dashboard PDF's header. */
function callerOf(request: FastifyRequest): ExportCaller {
  return { ...memberCallerOf(request), organisationName: principalOf(request).organisation.name };
}

/**
 * Export jobs (docs/exports.md): start (direct or queued), list, one, cancel, download. Thin: the
 * tenant, user and role come from the session; the export jobs service checks and scopes.
 */
export function exportJobsRoutes(services: Deps): FastifyPluginAsyncZod {
  const { exportJobs } = services;
  return async (app) => {
    noStore(app);

    app.post('/api/v1/exports', {
      config: { permission: 'dashboards:export' },
      schema: {
        tags: ['exports'],
        summary: 'Start a widget export: direct when small, else a job on the worker',
        body: exportStartBody,
        response: {
          200: exportStartResponse,
          202: exportStartResponse,
          400: errorBody,
          403: errorBody,
          404: errorBody,
          422: errorBody,
          503: errorBody,
        },
      },
      handler: async (request, reply) => {
        const result = await exportJobs.start(callerOf(request), request.body, actionContext(request));
        return reply.code(result.mode === 'job' ? 202 : 200).send(result);
      },
    });

    app.post('/api/v1/exports/pdf', {
      config: { permission: 'dashboards:export' },
      schema: {
        tags: ['exports'],
        summary: 'Start a dashboard PDF: a job on the worker (headless Chromium), listed with the exports',
        body: dashboardPdfBody,
        response: { 202: exportFile, 400: errorBody, 403: errorBody, 404: errorBody },
      },
      handler: async (request, reply) => {
        const file = await exportJobs.startPdf(callerOf(request), request.body, actionContext(request));
        return reply.code(202).send(file);
      },
    });

    app.get('/api/v1/exports', {
      config: { permission: 'dashboards:export' },
      schema: {
        tags: ['exports'],
        summary: "The caller's export jobs (admins: the organisation's), newest first",
        response: { 200: exportListResponse },
      },
      handler: async (request) => ({ exports: await exportJobs.list(callerOf(request)) }),
    });

    app.get('/api/v1/exports/:id', {
      config: { permission: 'dashboards:export' },
      schema: {
        tags: ['exports'],
        summary: 'One export job: status, progress, rows/s, ETA',
        params,
        response: { 200: exportFile, 404: errorBody },
      },
      handler: async (request) => exportJobs.get(callerOf(request), request.params.id),
    });

    app.post('/api/v1/exports/:id/cancel', {
      config: { permission: 'dashboards:export' },
      schema: {
        tags: ['exports'],
        summary: 'Cancel a queued or running export job',
        params,
        response: { 200: exportFile, 404: errorBody, 409: errorBody },
      },
      handler: async (request) =>
        exportJobs.cancel(callerOf(request), request.params.id, actionContext(request)),
    });

    app.get('/api/v1/exports/:id/download', {
      config: { permission: 'dashboards:export' },
      schema: {
        tags: ['exports'],
        summary: "Download a ready export job's file (its requester and the organisation's admins)",
        params,
        response: { 404: errorBody, 409: errorBody, 410: errorBody },
      },
      handler: async (request, reply) => {
        const file = await exportJobs.download(callerOf(request), request.params.id, actionContext(request));
        return sendFile(reply, file);
      },
    });
  };
}

/** The file as an attachment; the name is the server's own (ids reduced to safe characters). */
function sendFile(
  reply: FastifyReply,
  file: { fileName: string; contentType: string; bytes: number; body: Readable },
): FastifyReply {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .header('content-length', String(file.bytes))
    .send(file.body);
}
