import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StreamQuota } from './stream-quota.js';

/** A comment line now and then keeps proxies and load balancers from closing an idle stream. */
const HEARTBEAT_MS = 25_000;

export interface EventStream {
  send(event: string, data: unknown): void;
  end(): void;
}

/**
 * Answers with a server-sent event stream. `subscribe` runs first, before anything is written, so a
 * refusal it throws (an unknown dashboard, a full server) is still an ordinary JSON error; it returns
 * what to call when the client leaves.
 */
export function serveEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  subscribe: (stream: EventStream) => () => void,
  /** The per-user share of this kind of stream, and whose it is (the signed-in user). */
  quota: { readonly of: StreamQuota; readonly holder: string },
): void {
  const raw = reply.raw;
  const write = (text: string) => {
    if (!raw.writableEnded) raw.write(text);
  };
  // The user's share first: a user at their cap never reaches the server-wide bound.
  const release = quota.of.acquire(quota.holder);
  let unsubscribe: () => void;
  try {
    unsubscribe = subscribe({
      send: (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      end: () => raw.end(),
    });
  } catch (err) {
    release();
    throw err;
  }
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  write('retry: 5000\n: listening\n\n');
  const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
  raw.once('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    release();
    // A stream the client left is never finished, so its connection would not count as idle
    // and would hold up a graceful shutdown: drop it.
    if (!raw.writableFinished) raw.destroy();
  });
}
