import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ActionContext } from '../audit/audit-log.js';
import type { ActiveSession, SessionsService } from '../auth/sessions.service.js';
import { TrellisError } from '../errors.js';
import { needsSession, readsSession } from '../policies/permissions.js';
import { readSessionToken } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's live session, or null (no cookie, or it expired or was revoked). */
    session: ActiveSession | null;
  }
}

/**
 * Reads the session cookie of every non-public route into `request.session`, before the body is
 * parsed, and answers UNAUTHENTICATED for routes whose permission needs a session. Public routes
 * (health, metrics, assets) never cost a store lookup. Requests without the cookie cost nothing.
 */
export function installAuthentication(
  app: FastifyInstance,
  sessions: SessionsService,
  options: { secureCookie: boolean },
): void {
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config?.permission;
    if (!permission || !readsSession(permission)) return;
    const token = readSessionToken(request, options.secureCookie);
    request.session = token === undefined ? null : ((await sessions.resolve(token)) ?? null);
    if (!request.session && needsSession(permission)) throw new TrellisError('UNAUTHENTICATED');
  });
}

/** Who is acting and from where, for the audit log. */
export function actionContext(request: FastifyRequest): ActionContext {
  return { actor: request.session?.user.id ?? null, ip: request.ip ?? null, requestId: request.id };
}
