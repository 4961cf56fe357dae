import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { tenantOf } from '../policies/tenant.js';
import type { MemberCaller } from '../services/member-caller.js';
import { principalOf } from './authenticate.js';

/** A member's own resource by id (alerts, subscriptions, export files): the service checks its shape. */
export const idParams = z.object({ id: z.string().min(1).max(100) });

/** The caller as the member-owned resources' services take it: from the session only. */
export function memberCallerOf(request: FastifyRequest): MemberCaller {
  const session = principalOf(request);
  return {
    tenant: tenantOf(session),
    userId: session.user.id,
    role: session.role,
    email: session.user.email,
  };
}

/** A member's own things (targets, addresses, files) are never kept by a browser or proxy cache. */
export function noStore(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
}
