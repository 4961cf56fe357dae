import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorBody, exportBody, exportQuery, filterValues } from '../../../contract/index.js';
import type { AppServices } from '../../app-services.js';
import { TrellisError } from '../../errors.js';
import { actionContext } from '../../http/authenticate.js';
import { viewerOf } from '../../services/viewer.js';
import type { WidgetExports } from '../../services/widget-export.service.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'exports'>;

const params = z.object({ dashboard: z.string().min(1).max(100), widget: z.string().min(1).max(100) });
const responses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  422: errorBody,
  503: errorBody,
  504: errorBody,
};

/**
 * Widget exports: GET (a download link; filters as JSON in the query string) and POST (filters in
 * the body). Both stream the file; the client leaving cancels the query. docs/exports.md.
 */
export function exportsRoutes(services: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    const url = '/api/v1/dashboards/:dashboard/widgets/:widget/export';
    app.get(url, {
      config: { permission: 'dashboards:export' },
      schema: {
        tags: ['dashboards'],
        summary: "Download a widget's data (csv, xlsx, parquet, json, ndjson) under the given filters",
        params,
        querystring: exportQuery,
        response: responses,
      },
      handler: async (request, reply) => {
        const { filters, sort, direction } = request.query;
        return send(services, request, request.params, request.query, reply, {
          filters: parseFilters(filters),
          ...(sort ? { sort: { column: sort, direction: direction ?? 'asc' } } : {}),
        });
      },
    });
    app.post(url, {
      config: { permission: 'dashboards:export' },
      schema: {
        tags: ['dashboards'],
        summary: "Download a widget's data with the filters in the body",
        params,
        querystring: exportQuery.omit({ filters: true, sort: true, direction: true }),
        body: exportBody,
        response: responses,
      },
      handler: async (request, reply) =>
        send(services, request, request.params, request.query, reply, request.body),
    });
  };
}

async function send(
  services: { readonly exports: WidgetExports },
  request: FastifyRequest,
  where: z.infer<typeof params>,
  query: { format: z.infer<typeof exportQuery>['format']; bom: 'true' | 'false' },
  reply: FastifyReply,
  body: {
    filters: Record<string, unknown>;
    sort?: { column: string; direction: 'asc' | 'desc' } | undefined;
  },
) {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  const file = await services.exports.open({
    dashboard: where.dashboard,
    widget: where.widget,
    format: query.format,
    filters: body.filters,
    sort: body.sort,
    bom: query.bom === 'true',
    viewer: viewerOf(request.session),
    context: actionContext(request),
    signal: controller.signal,
  });
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .header('cache-control', 'no-store')
    .header('x-export-rows', file.rows === undefined ? 'unknown' : String(file.rows))
    .send(file.body);
}

/** The `filters` query parameter: JSON of the same shape as a data request's filters. */
function parseFilters(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('not JSON');
  }
  const checked = filterValues.safeParse(parsed);
  if (!checked.success) throw invalid(checked.error.issues[0]?.message ?? 'not filter values');
  return checked.data;
}

function invalid(message: string): TrellisError {
  return new TrellisError('VALIDATION_FAILED', {
    message: 'The `filters` parameter must be the JSON of filter values by filter id.',
    issues: [{ path: 'filters', message }],
  });
}
