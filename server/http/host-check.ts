import type { FastifyInstance } from 'fastify';
import { hostName } from '../config/env.js';
import { TrellisError } from '../errors.js';

/** Probes address the instance by its pod or machine address; they read nothing of anyone's. */
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * Refuses requests whose Host header names a host this server does not answer for (421
 * HOST_NOT_ALLOWED). Without it, a page on evil.example whose DNS is re-pointed at this server
 * (DNS rebinding) would be same-origin with it, and the Origin check — which, without a public URL,
 * compares against the Host — would pass. `allowed` undefined: no check (TRELLIS_PUBLIC_URL is set,
 * so Origin is compared with it; or TRELLIS_ALLOWED_HOSTS is `*`).
 */
export function installHostCheck(app: FastifyInstance, allowed: ReadonlySet<string> | undefined): void {
  if (!allowed) return;
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    // HTTP/1.0 without Host: no browser sends that, so no rebinding page can.
    if (host === undefined) return;
    const name = hostName(host);
    if (name !== undefined && allowed.has(name)) return;
    if (PROBES.has(request.url.split('?', 1)[0] ?? '')) return;
    throw new TrellisError('HOST_NOT_ALLOWED', { detail: { host: host.slice(0, 200) } });
  });
}
