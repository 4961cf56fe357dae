import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { auditPage, auditQuery } from '../../../contract/admin.schema.js';
import { errorBody } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { tenantOf } from '../../policies/tenant.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'audit'>;

const exportQuery = auditQuery.omit({ cursor: true, limit: true });

/** The organisation's audit log: pages for the UI, and a streamed CSV (itself audited). */
export function auditRoutes(services: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    app.get('/api/v1/audit', {
      config: { permission: 'audit:list' },
      schema: {
        summary: 'Audit log entries, newest first',
        querystring: auditQuery,
        response: { 200: auditPage, 403: errorBody },
      },
      handler: async (request) => services.audit.page(tenantOf(principalOf(request)).id, request.query),
    });

    app.get('/api/v1/audit.csv', {
      config: { permission: 'audit:export' },
      schema: { summary: 'The audit log as CSV (bounded; the export is audited)', querystring: exportQuery },
      handler: async (request, reply) => {
        const stream = await services.audit.exportCsv(
          tenantOf(principalOf(request)).id,
          request.query,
          actionContext(request),
        );
        const day = new Date().toISOString().slice(0, 10);
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="trellis-audit-${day}.csv"`);
        return reply.send(stream);
      },
    });
  };
}
