import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../../../contract/index.js';
import {
  pipelineList,
  runList,
  runLogPage,
  runSummary,
  startRunRequest,
} from '../../../contract/jobs.schema.js';
import type { AppServices } from '../../app-services.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { tenantOf } from '../../policies/tenant.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'jobs'>;

const pipelineParams = z.object({ pipeline: z.string().min(1).max(100) });
const runParams = z.object({ run: z.string().min(1).max(100) });
const runsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).optional(),
    cursor: z.string().max(200).optional(),
  })
  .strict();
const logsQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

/**
 * The jobs API (contract/jobs.schema.ts): the caller's organisation's pipelines, their runs, logs,
 * and the controls. Thin: the organisation comes from the session, the runs service does the rest.
 */
export function jobsRoutes(services: Deps): FastifyPluginAsyncZod {
  const { runs } = services.jobs;
  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });
    const org = (request: Parameters<typeof principalOf>[0]) => tenantOf(principalOf(request)).slug;

    app.get('/api/v1/pipelines', {
      config: { permission: 'pipeline:list' },
      schema: { tags: ['jobs'], summary: 'The organisation’s pipelines', response: { 200: pipelineList } },
      handler: async (request) => ({ pipelines: await runs.listPipelines(org(request)) }),
    });

    app.post('/api/v1/pipelines/:pipeline/runs', {
      config: { permission: 'pipeline:run' },
      schema: {
        tags: ['jobs'],
        summary: 'Start a run (409 PIPELINE_ALREADY_RUNNING while one is active, unless queueIfRunning)',
        params: pipelineParams,
        body: startRunRequest.optional(),
        response: { 202: runSummary, 400: errorBody, 404: errorBody, 409: errorBody, 503: errorBody },
      },
      handler: async (request, reply) => {
        const session = principalOf(request);
        const run = await runs.start(
          tenantOf(session).slug,
          request.params.pipeline,
          {
            trigger: 'manual',
            requestedBy: session.user.email,
            queueIfRunning: request.body?.queueIfRunning === true,
            inputs: request.body?.inputs,
            ...(request.body?.retryFailedOf === undefined
              ? {}
              : { retryFailedOf: request.body.retryFailedOf }),
          },
          actionContext(request),
        );
        return reply.code(202).send(run);
      },
    });

    app.get('/api/v1/pipelines/:pipeline/runs', {
      config: { permission: 'pipeline:read' },
      schema: {
        tags: ['jobs'],
        summary: 'Runs of a pipeline, newest first',
        params: pipelineParams,
        querystring: runsQuery,
        response: { 200: runList, 404: errorBody },
      },
      handler: async (request) => runs.list(org(request), request.params.pipeline, request.query),
    });

    app.get('/api/v1/runs/:run', {
      config: { permission: 'pipeline:read' },
      schema: {
        tags: ['jobs'],
        summary: 'One run',
        params: runParams,
        response: { 200: runSummary, 404: errorBody },
      },
      handler: async (request) => runs.get(org(request), request.params.run),
    });

    app.get('/api/v1/runs/:run/logs', {
      config: { permission: 'pipeline:read' },
      schema: {
        tags: ['jobs'],
        summary: 'A run’s log lines after `after`, in order',
        params: runParams,
        querystring: logsQuery,
        response: { 200: runLogPage, 404: errorBody },
      },
      handler: async (request) => runs.logs(org(request), request.params.run, request.query),
    });

    app.post('/api/v1/runs/:run/cancel', {
      config: { permission: 'run:cancel' },
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a run (cooperative: it stops at its next checkpoint)',
        params: runParams,
        response: { 202: runSummary, 404: errorBody },
      },
      handler: async (request, reply) =>
        reply.code(202).send(await runs.cancel(org(request), request.params.run, actionContext(request))),
    });
  };
}
