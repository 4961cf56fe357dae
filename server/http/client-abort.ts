import type { FastifyReply } from 'fastify';

/**
 * A signal that aborts when the client goes away before the response is written, so the engine
 * can cancel the statement instead of finishing work nobody will read.
 */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
