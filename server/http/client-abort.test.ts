import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply } from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import { clientAbortSignal } from './client-abort.js';

/**
 * The lazy client-disconnect signal on a real server and real sockets: nothing is made for a request
 * that never waits, one signal is shared by every wait of a request, and a client that left — before
 * or after the signal was made — aborts it, while a completed response never does.
 */
describe('client abort signal', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  /** A server whose one route hands its reply to `onRequest` and answers when told to. */
  async function serve(onRequest: (reply: FastifyReply, answer: () => void) => void) {
    const app = Fastify();
    app.get('/', (_request, reply) => {
      onRequest(reply, () => void reply.send({ ok: true }));
      return reply;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    close = () => app.close();
    return (app.server.address() as AddressInfo).port;
  }

  /** Sends GET / and destroys the socket after `ms` (or waits for the answer when ms is undefined). */
  function request(port: number, abortAfterMs?: number): Promise<number | 'aborted'> {
    return new Promise((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', path: '/' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve('aborted'));
      if (abortAfterMs !== undefined) setTimeout(() => req.destroy(), abortAfterMs);
    });
  }

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    return check();
  };

  test('a request that never asks for the signal gets no listener; an answered one is never aborted', async () => {
    const seen: { asked: boolean; listenersAdded: number; lazy: ReturnType<typeof clientAbortSignal> }[] = [];
    let asking = false;
    const port = await serve((reply, answer) => {
      const before = reply.raw.listenerCount('close');
      const lazy = clientAbortSignal(reply);
      expect(lazy.aborted).toBe(false);
      if (asking) {
        const signal = lazy.signal();
        expect(lazy.signal()).toBe(signal); // one signal per request, however often asked
      }
      seen.push({ asked: asking, listenersAdded: reply.raw.listenerCount('close') - before, lazy });
      answer();
    });
    expect(await request(port)).toBe(200);
    asking = true;
    expect(await request(port)).toBe(200);
    expect(seen.map((s) => [s.asked, s.listenersAdded])).toEqual([
      [false, 0],
      [true, 1],
    ]);
    for (const s of seen) {
      expect(s.lazy.aborted).toBe(false);
      // Made (or read) after the response completed: not aborted either.
      expect(s.lazy.signal().aborted).toBe(false);
    }
  });

  test('the client leaving aborts a signal made before it left', async () => {
    let signal: AbortSignal | undefined;
    const port = await serve((reply) => {
      signal = clientAbortSignal(reply).signal(); // waits for a query; never answers
    });
    expect(await request(port, 50)).toBe('aborted');
    expect(await until(() => signal?.aborted === true)).toBe(true);
  });

  test('a signal first asked for after the client left starts aborted, and `aborted` says so before', async () => {
    let lazy: ReturnType<typeof clientAbortSignal> | undefined;
    let gone = false;
    const port = await serve((reply) => {
      lazy = clientAbortSignal(reply);
      reply.raw.once('close', () => (gone = true));
    });
    expect(await request(port, 50)).toBe('aborted');
    expect(await until(() => gone)).toBe(true);
    expect(lazy?.aborted).toBe(true);
    expect(lazy?.signal().aborted).toBe(true);
  });
});
