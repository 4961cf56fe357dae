import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../../contract/index.js';
import { ERROR_CATALOGUE, isOverload, TrellisError, type ErrorCode, type ErrorIssue } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import { securityHeaders } from './security-headers.js';

/**
 * Every failure leaves as `{ error, message, requestId }` with a catalogue code. 4xx carry a
 * user-safe message; 5xx carry the catalogue's message only, and the detail goes to the log.
 */
export function installErrorHandling(app: FastifyInstance, metrics: Metrics): void {
  app.setErrorHandler((err: unknown, request, reply) => {
    const e = toTrellisError(err);
    metrics.errors.inc({ code: e.code });
    if (isOverload(e.code)) {
      // Load shed by design: a warning with the code and detail, no stack; the rate is the metric.
      metrics.overload.inc({ code: e.code });
      request.log.warn({ code: e.code, detail: e.detail }, 'request refused: overload');
    } else if (e.status >= 500) {
      const log = {
        err: err instanceof Error ? err : new Error(String(err)),
        code: e.code,
        detail: e.detail,
      };
      request.log.error(log, 'request failed');
    } else request.log.info({ code: e.code, detail: e.detail }, 'request rejected');
    if (e.code === 'QUERY_CANCELLED') return reply.code(e.status).send(); // nobody is listening
    const body: ErrorBody = {
      error: e.code,
      message: e.status >= 500 ? ERROR_CATALOGUE[e.code].message : e.message,
      requestId: request.id,
      ...(e.issues?.length ? { issues: [...e.issues] } : {}),
    };
    if (e.code === 'SOURCE_BUSY' || e.code === 'NOT_READY') reply.header('retry-after', '1');
    if (e.code === 'TOO_MANY_STREAMS') reply.header('retry-after', '30');
    if (e.retryAfterSeconds !== undefined) reply.header('retry-after', String(e.retryAfterSeconds));
    return reply.code(e.status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: 'NOT_FOUND',
      message: ERROR_CATALOGUE.NOT_FOUND.message,
      requestId: request.id,
    };
    return reply.code(404).send(body);
  });
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot decode (`/%c0`, invalid UTF-8) is answered before any
 * route or hook runs, so this gives it the same shape, request id and headers as every other error.
 */
export function badUrlHandler(
  publicOrigin: string | undefined,
): (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (err, request, reply) => {
    request.log.info({ code: 'VALIDATION_FAILED', detail: { fastifyCode: err.code } }, 'request rejected');
    securityHeaders(reply, publicOrigin);
    const body: ErrorBody = {
      error: 'VALIDATION_FAILED',
      message: 'The address is not valid: it does not decode as UTF-8.',
      requestId: request.id,
    };
    void reply.code(400).header('x-request-id', request.id).send(body);
  };
}

function toTrellisError(err: unknown): TrellisError {
  if (err instanceof TrellisError) return err;
  const fe = err as Partial<FastifyError> & { validation?: { instancePath?: string; message?: string }[] };
  if (fe.validation) {
    const issues: ErrorIssue[] = fe.validation.slice(0, 20).map((v) => ({
      path:
        (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || (fe.validationContext ?? 'request'),
      message: v.message ?? 'invalid',
    }));
    return new TrellisError('VALIDATION_FAILED', {
      message: `The request is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`.slice(
        0,
        500,
      ),
      issues,
    });
  }
  const status = fe.statusCode ?? 500;
  const byStatus: Partial<Record<number, ErrorCode>> = {
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    404: 'NOT_FOUND',
  };
  if (status >= 400 && status < 500) {
    const code = byStatus[status] ?? 'VALIDATION_FAILED';
    // Fastify's own 4xx messages (bad JSON, empty body) are safe and say what is wrong.
    return new TrellisError(code, {
      message: fe.message ?? ERROR_CATALOGUE[code].message,
      detail: { fastifyCode: fe.code },
    });
  }
  return new TrellisError('INTERNAL', { detail: { message: (err as Error)?.message }, cause: err });
}
