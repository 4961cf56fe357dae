import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The session cookie. Over https it is `__Host-` prefixed: browsers then insist on Secure, Path=/ and
 * no Domain, so a sibling subdomain cannot plant or overwrite it. HttpOnly keeps it from scripts;
 * SameSite=Lax keeps it off cross-site POSTs.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-trellis_session' : 'trellis_session';
}

export function readSessionToken(request: FastifyRequest, secure: boolean): string | undefined {
  return readCookie(request.headers.cookie, sessionCookieName(secure));
}

export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  options: { secure: boolean; maxAgeSeconds: number },
): void {
  reply.header(
    'set-cookie',
    serialise(sessionCookieName(options.secure), token, options.secure, options.maxAgeSeconds),
  );
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.header('set-cookie', serialise(sessionCookieName(secure), '', secure, 0));
}

function serialise(name: string, value: string, secure: boolean, maxAgeSeconds: number): string {
  const parts = [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
  ];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/** The first cookie of this name in a Cookie header (RFC 6265 §5.4: name=value pairs split by ';'). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}
