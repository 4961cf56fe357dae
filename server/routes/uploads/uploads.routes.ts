import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorBody } from '../../../contract/index.js';
import {
  uploadList,
  uploadPreview,
  uploadSummary,
  uploadTargetList,
} from '../../../contract/uploads.schema.js';
import type { AppServices } from '../../app-services.js';
import { TrellisError } from '../../errors.js';
import { actionContext, principalOf } from '../../http/authenticate.js';
import type { Uploader } from '../../uploads/uploads.service.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'uploads'>;

const targetParams = z.object({ target: z.string().min(1).max(100) });
const uploadParams = z.object({ upload: z.string().min(1).max(100) });

function uploaderOf(request: FastifyRequest): Uploader {
  const session = principalOf(request);
  return { organisationId: session.organisation.id, userId: session.user.id, role: session.role };
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
            { stream: part.file, fileName: part.filename },
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
  };
}
