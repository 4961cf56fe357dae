import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorBody } from '../../../contract/index.js';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import {
  uploadList,
  uploadPreview,
  uploadProfile,
  uploadReport,
  uploadSummary,
  uploadTargetList,
  uploadVersion,
  uploadVersionList,
  versionDiff,
} from '../../../contract/uploads.schema.js';
import type { AppServices } from '../../app-services.js';
import { TrellisError } from '../../errors.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import { tenantOf } from '../../policies/tenant.js';
import type { Uploader } from '../../uploads/uploads.service.js';
import { UPLOAD_ENCODINGS } from '../../uploads/transcode-text.js';

/** How long an upload request's socket may stay silent while the server works on the file. */
export const UPLOAD_WORK_IDLE_MS = 15 * 60_000;

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'uploads'>;

const targetParams = z.object({ target: z.string().min(1).max(100) });
/** How to read the file: an XLSX sheet by name, a text file's encoding (default: detected). */
const receiveQuery = z.object({
  sheet: z.string().min(1).max(100).optional(),
  encoding: z.enum(UPLOAD_ENCODINGS).optional(),
});
const uploadParams = z.object({ upload: z.string().min(1).max(100) });
const versionParams = z.object({
  target: z.string().min(1).max(100),
  version: z.coerce.number().int().min(1).max(1_000_000_000),
});
const reportQuery = z.object({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const diffQuery = z.object({
  from: z.coerce.number().int().min(1).max(1_000_000_000),
  to: z.coerce.number().int().min(1).max(1_000_000_000),
});

function uploaderOf(request: FastifyRequest): Uploader {
  const session = principalOf(request);
  const tenant = tenantOf(session);
  return { organisationId: tenant.id, tenant: tenant.slug, userId: session.user.id, role: session.role };
}

/**
 * The uploads API (docs/uploads.md). Thin: the organisation and role come from the session; the
 * uploads service streams, checks and records. Multipart is parsed only inside this plugin.
 */
export function uploadsRoutes(services: Deps): FastifyPluginAsyncZod {
  const { uploads } = services;
  return async (app) => {
    // One file part, no other fields; its byte limit is the target's, set per request below.
    await app.register(fastifyMultipart, {
      limits: { files: 1, fields: 0, parts: 1, headerPairs: 50, fieldNameSize: 100 },
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });
    // The server drops a socket silent for its connection timeout (60 s, slowloris). An upload's
    // work — an XLSX conversion, a profile of a million rows, an import — is silent on the socket
    // and may take longer on a busy host: the client saw "socket hang up" (the bench's ECONNRESET).
    // These requests get a longer idle allowance; the socket gets the server's back afterwards, as a
    // kept-alive connection serves other requests.
    // (An injected request — tests — has a stand-in socket without timers.)
    const idle = (request: FastifyRequest, ms: number) => {
      const socket = request.raw.socket as Partial<Socket> | undefined;
      if (typeof socket?.setTimeout === 'function' && !socket.destroyed) socket.setTimeout(ms);
    };
    app.addHook('preHandler', async (request) => idle(request, UPLOAD_WORK_IDLE_MS));
    app.addHook('onResponse', async (request) => idle(request, app.server.timeout));

    app.get('/api/v1/uploads/targets', {
      config: { permission: 'upload:list' },
      schema: {
        tags: ['uploads'],
        summary: 'Upload targets the caller may use',
        response: { 200: uploadTargetList },
      },
      handler: async (request) => ({ targets: uploads.targets(principalOf(request).role) }),
    });

    app.get('/api/v1/uploads/targets/:target/uploads', {
      config: { permission: 'upload:list' },
      schema: {
        tags: ['uploads'],
        summary: 'The organisation’s uploads to a target, newest first',
        params: targetParams,
        response: { 200: uploadList, 404: errorBody },
      },
      handler: async (request) => ({
        uploads: await uploads.list(uploaderOf(request), request.params.target),
      }),
    });

    app.post('/api/v1/uploads/targets/:target/uploads', {
      config: { permission: 'upload:create' },
      schema: {
        tags: ['uploads'],
        summary: 'Send one file (multipart/form-data, field "file"), streamed within the target’s byte limit',
        params: targetParams,
        querystring: receiveQuery,
        response: { 201: uploadSummary, 400: errorBody, 404: errorBody, 413: errorBody, 415: errorBody },
      },
      handler: async (request, reply) => {
        const uploader = uploaderOf(request);
        const target = uploads.target(request.params.target, uploader.role);
        let part;
        try {
          part = await request.file({ limits: { fileSize: target.limits.bytes }, throwFileSizeLimit: false });
        } catch {
          throw new TrellisError('UPLOAD_INVALID_REQUEST');
        }
        if (!part || part.fieldname !== 'file') {
          part?.file.resume();
          throw new TrellisError('UPLOAD_INVALID_REQUEST');
        }
        try {
          const summary = await uploads.receive(
            uploader,
            target.id,
            {
              stream: part.file,
              fileName: part.filename,
              sheet: request.query.sheet,
              encoding: request.query.encoding,
            },
            actionContext(request),
          );
          return await reply.code(201).send(summary);
        } catch (err) {
          // The rest of an unread body is not worth receiving: close the connection after answering.
          reply.header('connection', 'close');
          throw err;
        }
      },
    });

    app.get('/api/v1/uploads/:upload', {
      config: { permission: 'upload:read' },
      schema: {
        tags: ['uploads'],
        summary: 'One upload of the organisation',
        params: uploadParams,
        response: { 200: uploadSummary, 404: errorBody },
      },
      handler: async (request) => uploads.get(uploaderOf(request).organisationId, request.params.upload),
    });

    app.get('/api/v1/uploads/:upload/preview', {
      config: { permission: 'upload:read' },
      schema: {
        tags: ['uploads'],
        summary: 'The first 100 rows, each header’s inferred type beside the declared column',
        params: uploadParams,
        response: { 200: uploadPreview, 404: errorBody, 422: errorBody },
      },
      handler: async (request) => uploads.preview(uploaderOf(request), request.params.upload),
    });
    app.get('/api/v1/uploads/:upload/profile', {
      config: { permission: 'upload:read' },
      schema: {
        tags: ['uploads'],
        summary:
          'Profile of every column (nulls, distinct, min/max/mean, top values, outliers) and a quality score',
        params: uploadParams,
        response: { 200: uploadProfile, 404: errorBody, 422: errorBody },
      },
      handler: async (request) => uploads.profile(uploaderOf(request), request.params.upload),
    });

    app.get('/api/v1/uploads/:upload/report', {
      config: { permission: 'upload:read' },
      schema: {
        tags: ['uploads'],
        summary: 'The validation report: counts, file problems and one page of failing cells',
        params: uploadParams,
        querystring: reportQuery,
        response: { 200: uploadReport, 404: errorBody, 422: errorBody },
      },
      handler: async (request) =>
        uploads.report(uploaderOf(request), request.params.upload, request.query.offset, request.query.limit),
    });

    app.get('/api/v1/uploads/:upload/report.csv', {
      config: { permission: 'upload:read' },
      schema: {
        tags: ['uploads'],
        summary: 'The validation report as CSV (formula cells defused)',
        params: uploadParams,
      },
      handler: async (request, reply) => {
        const lines = uploads.reportCsv(uploaderOf(request), request.params.upload);
        // The first line is awaited here, so a wrong id answers 404 rather than a broken download.
        const first = await lines.next();
        async function* all() {
          if (!first.done) yield first.value;
          yield* lines;
        }
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${request.params.upload}-report.csv"`);
        return reply.send(Readable.from(all()));
      },
    });

    app.post('/api/v1/uploads/:upload/import', {
      config: { permission: 'upload:create' },
      schema: {
        tags: ['uploads'],
        summary:
          'Ask for the import into a new version of the target (one transaction, by a worker): 202 with the upload, `queued`; or reject it',
        params: uploadParams,
        response: { 202: uploadSummary, 404: errorBody, 409: errorBody, 422: errorBody, 503: errorBody },
      },
      handler: async (request, reply) => {
        const summary = await uploads.requestImport(
          uploaderOf(request),
          request.params.upload,
          actionContext(request),
        );
        return reply.code(202).send(summary);
      },
    });

    app.get('/api/v1/uploads/targets/:target/versions', {
      config: { permission: 'upload:list' },
      schema: {
        tags: ['uploads'],
        summary: 'The organisation’s versions of a target, newest first',
        params: targetParams,
        response: { 200: uploadVersionList, 404: errorBody },
      },
      handler: async (request) => ({
        versions: await uploads.versions(uploaderOf(request), request.params.target),
      }),
    });

    app.get('/api/v1/uploads/targets/:target/versions/diff', {
      config: { permission: 'upload:list' },
      schema: {
        tags: ['uploads'],
        summary: 'Row counts of two versions and their difference',
        params: targetParams,
        querystring: diffQuery,
        response: { 200: versionDiff, 404: errorBody },
      },
      handler: async (request) =>
        uploads.diff(uploaderOf(request), request.params.target, request.query.from, request.query.to),
    });

    app.post('/api/v1/uploads/targets/:target/versions/:version/rollback', {
      config: { permission: 'upload:create' },
      schema: {
        tags: ['uploads'],
        summary: 'Roll back: serve an older kept version again (one atomic switch, audited)',
        params: versionParams,
        response: { 200: uploadVersion, 404: errorBody, 409: errorBody },
      },
      handler: async (request) =>
        uploads.rollback(
          uploaderOf(request),
          request.params.target,
          request.params.version,
          actionContext(request),
        ),
    });
  };
}
