import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token of a session: an HMAC of the session id's hash under the session secret. It is
 * bound to the session (another session's token does not fit), needs no storage, and a stolen copy
 * of the sessions table cannot forge one without the secret.
 */
export function csrfTokenFor(secret: string, sessionIdHash: string): string {
  return createHmac('sha256', secret).update(`csrf:${sessionIdHash}`).digest('base64url');
}

export function csrfTokenMatches(secret: string, sessionIdHash: string, sent: string | undefined): boolean {
  if (sent === undefined || sent.length > 100) return false;
  const expected = Buffer.from(csrfTokenFor(secret, sessionIdHash));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The readable twin of the session cookie: scripts of this origin read it and echo it in the
 * x-csrf-token header, which another site cannot do. Not HttpOnly on purpose; `__Host-` over https.
 */
export function csrfCookieName(secure: boolean): string {
  return secure ? '__Host-trellis_csrf' : 'trellis_csrf';
}

export function setCsrfCookie(
  reply: FastifyReply,
  token: string,
  options: { secure: boolean; maxAgeSeconds: number },
): void {
  const parts = [
    `${csrfCookieName(options.secure)}=${token}`,
    'Path=/',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
  ];
  if (options.secure) parts.push('Secure');
  reply.header('set-cookie', parts.join('; '));
}

export function clearCsrfCookie(reply: FastifyReply, secure: boolean): void {
  setCsrfCookie(reply, '', { secure, maxAgeSeconds: 0 });
}

/**
 * Whether a state-changing request comes from this server's own pages. Browsers send Origin on every
 * cross-site POST/PUT/PATCH/DELETE (and Referer when Origin is absent in older ones); a mismatch is
 * refused. A request with neither is not from a browser page (curl, scripts): the cookie's CSRF token
 * still guards it, and a bearer token carries no ambient credential.
 */
export function originAllowed(request: FastifyRequest, publicOrigin: string | undefined): boolean {
  const origin = headerValue(request.headers.origin);
  const referer = headerValue(request.headers.referer);
  let claimed: string | undefined;
  if (origin !== undefined) claimed = origin;
  else if (referer !== undefined) {
    try {
      claimed = new URL(referer).origin;
    } catch {
      return false;
    }
  }
  if (claimed === undefined) return true;
  if (claimed === 'null') return false; // sandboxed frames, data: URLs, some redirects
  return claimed.toLowerCase() === (publicOrigin ?? ownOrigin(request))?.toLowerCase();
}

/** scheme://host[:port] as a browser writes it (default ports dropped), from the request's Host. */
function ownOrigin(request: FastifyRequest): string | undefined {
  try {
    return new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return undefined;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
