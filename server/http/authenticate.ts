import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ActionContext } from '../audit/audit-log.js';
import type { ApiTokensService } from '../auth/api-tokens.service.js';
import type { ActiveSession, SessionsService } from '../auth/sessions.service.js';
import { TrellisError } from '../errors.js';
import { authorizeRoute } from '../policies/authorize.js';
import { isPermission, ruleOf } from '../policies/permissions.js';
import { CSRF_HEADER, csrfTokenMatches, originAllowed } from './csrf.js';
import { readSessionToken } from './session-cookie.js';
import {
  RENDER_HEADER,
  RENDER_ROUTES,
  renderPrincipal,
  verifyRenderCredential,
} from '../auth/render-credential.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's live session (or API token), or null (none, expired or revoked). */
    session: ActiveSession | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthenticationOptions {
  readonly secureCookie: boolean;
  readonly secret: string;
  readonly publicOrigin: string | undefined;
}

/**
 * Runs before the body is parsed, for every route, from its declared permission: Origin check on
 * state-changing requests, then credentials (a bearer API token, or the session cookie plus its CSRF
 * token), then the role's ability. So a viewer calling an admin route gets FORBIDDEN before any body
 * is read, and public routes (health, assets) never cost a store lookup.
 */
export function installAuthentication(
  app: FastifyInstance,
  services: { sessions: SessionsService; tokens: ApiTokensService },
  options: AuthenticationOptions,
): void {
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config?.permission;
    if (!isPermission(permission)) return; // unmatched: the 404 handler answers
    const rule = ruleOf(permission);
    const unsafe = !SAFE_METHODS.has(request.method);
    if (unsafe && !originAllowed(request, options.publicOrigin))
      throw new TrellisError('CSRF_FAILED', { detail: { reason: 'origin', origin: request.headers.origin } });
    if (rule.auth === 'none') return;

    if (request.headers[RENDER_HEADER] !== undefined) {
      request.session = acceptRender(request, options.secret);
      authorizeRoute(request.session, permission);
      return;
    }
    const bearer = readBearer(request);
    if (bearer !== undefined) {
      // A token is sent on purpose by a script: no ambient credential, so no CSRF token is needed.
      if (!rule.tokens)
        throw new TrellisError('FORBIDDEN', {
          message: 'API tokens cannot be used here; sign in with a browser session.',
          detail: { reason: 'token_not_allowed', permission },
        });
      request.session = (await services.tokens.resolve(bearer)) ?? null;
      if (!request.session) throw new TrellisError('UNAUTHENTICATED', { detail: { reason: 'bad_token' } });
    } else {
      const token = readSessionToken(request, options.secureCookie);
      request.session = token === undefined ? null : ((await services.sessions.resolve(token)) ?? null);
      if (request.session && unsafe && rule.csrf === 'token') {
        const sent = request.headers[CSRF_HEADER];
        if (!csrfTokenMatches(options.secret, request.session.idHash, Array.isArray(sent) ? sent[0] : sent))
          throw new TrellisError('CSRF_FAILED', { detail: { reason: 'token' } });
      }
    }
    if (!request.session) {
      if (rule.auth === 'required') throw new TrellisError('UNAUTHENTICATED');
      return;
    }
    authorizeRoute(request.session, permission);
  });
}

/**
 * A render credential (auth/render-credential.ts): alone (no cookie, no token), on a render route,
 * for the dashboard it names, while it lasts. Anything else is refused before the handler runs.
 */
function acceptRender(request: FastifyRequest, secret: string): ActiveSession {
  const sent = request.headers[RENDER_HEADER];
  const value = Array.isArray(sent) ? undefined : sent;
  if (value === undefined || request.headers.authorization !== undefined)
    throw new TrellisError('UNAUTHENTICATED', { detail: { reason: 'render_mixed' } });
  const check = verifyRenderCredential(secret, value, Date.now());
  if (!check.ok) throw new TrellisError('UNAUTHENTICATED', { detail: { reason: `render_${check.reason}` } });
  const route = `${request.method} ${request.routeOptions.url ?? ''}`;
  const params = request.params as { dashboard?: unknown } | undefined;
  if (!RENDER_ROUTES.has(route) || params?.dashboard !== check.claims.dashboard)
    throw new TrellisError('FORBIDDEN', {
      message: 'This credential only reads the dashboard it was made for.',
      detail: { reason: 'render_scope', route, dashboard: check.claims.dashboard },
    });
  return renderPrincipal(check.claims, value.slice(value.lastIndexOf('.') + 1));
}

/** `Authorization: Bearer <token>`, or undefined when the header is absent or another scheme. */
function readBearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S{1,200})$/i.exec(header.trim());
  if (!match) throw new TrellisError('UNAUTHENTICATED', { detail: { reason: 'authorization_scheme' } });
  return match[1];
}

/** Who is acting and from where, for the audit log. */
export function actionContext(request: FastifyRequest): ActionContext {
  return {
    actor: request.session?.user.id ?? null,
    ip: request.ip ?? null,
    requestId: request.id,
    organisationId: request.session?.organisation.id ?? null,
  };
}

/** The session of a route whose permission requires one (the hook has already refused otherwise). */
export function principalOf(request: FastifyRequest): ActiveSession {
  if (!request.session) throw new TrellisError('UNAUTHENTICATED');
  return request.session;
}
