import type { FastifyReply } from 'fastify';
import type { LazySignal } from '../cache/cached-query.js';

/**
 * A signal that aborts when the client goes away before the response is written, so the engine
 * can cancel the statement instead of finishing work nobody will read.
 *
 * Lazy: the AbortController and the socket listener are made only when a query has to be waited
 * for (`signal()`); a cache hit asks only `aborted`, answered from the response itself. Made
 * after the client has already gone, the signal starts aborted.
 */
export function clientAbortSignal(reply: FastifyReply): LazySignal {
  let controller: AbortController | undefined;
  const gone = () => reply.raw.destroyed && !reply.raw.writableFinished;
  return {
    get aborted() {
      return controller ? controller.signal.aborted : gone();
    },
    signal() {
      if (controller) return controller.signal;
      const made = new AbortController();
      controller = made;
      if (gone()) made.abort();
      else
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) made.abort();
        });
      return made.signal;
    },
  };
}
