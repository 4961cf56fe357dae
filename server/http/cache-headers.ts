import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cacheability } from '../services/cacheability.js';

/**
 * HTTP caching for data responses, derived from the dataset's freshness: `Cache-Control: private`
 * (results may be per tenant; no shared proxy may keep them) with the seconds left until the result
 * goes stale, and a weak ETag. A request whose `If-None-Match` names the current tag gets a bodiless
 * 304. Live datasets and stale-because-the-source-is-down answers are `no-cache`: reused never without
 * asking again.
 *
 * Returns the body to send, or null (no body) for a 304.
 */
export function withCacheHeaders<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  result: { readonly body: T; readonly cacheability: Cacheability },
): T | null {
  const { etag, maxAgeSeconds, noStore } = result.cacheability;
  reply.header('etag', etag);
  reply.header('cache-control', noStore ? 'private, no-cache' : `private, max-age=${maxAgeSeconds}`);
  if (matches(request.headers['if-none-match'], etag)) {
    reply.code(304);
    return null;
  }
  return result.body;
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const want = opaque(etag);
  return header.split(',').some((t) => t.trim() === '*' || opaque(t) === want);
}
