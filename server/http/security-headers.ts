import type { FastifyReply } from 'fastify';

/**
 * The headers every response carries (set in the app's onSend hook, and by hand where Fastify answers
 * before any hook runs). Over https (TRELLIS_PUBLIC_URL), Strict-Transport-Security tells browsers to
 * use https only for a year, so a network attacker cannot downgrade the next visit.
 */
export function securityHeaders(reply: FastifyReply, publicOrigin: string | undefined): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header(
    'content-security-policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
  if (publicOrigin?.startsWith('https://')) reply.header('strict-transport-security', 'max-age=31536000');
}
