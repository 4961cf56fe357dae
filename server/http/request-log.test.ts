import { Writable } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { parseEnv, type RequestLogConfig } from '../config/env.js';
import { installRequestLog, shouldLogRequest } from './request-log.js';

/** A real Fastify app with the access log installed, its log lines collected. */
async function linesFor(config: RequestLogConfig, random = () => 0.5) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n'))
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const loggerInstance: FastifyBaseLogger = pino({ level: 'info' }, sink);
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) });
  installRequestLog(app, config, random);
  app.get('/ok', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  for (const url of ['/ok', '/ok', '/missing', '/boom']) await app.inject({ url });
  await app.close();
  return lines.filter((l) => l.msg === 'request');
}

test('errors (the default): one line per failed request, none for successes, never two per request', async () => {
  expect(parseEnv({}).requestLog).toEqual({ mode: 'errors', sample: 0.01 });
  const lines = await linesFor({ mode: 'errors', sample: 0 });
  expect(lines.map((l) => (l.res as { statusCode: number }).statusCode)).toEqual([404, 500]);
  expect(lines[0]).toMatchObject({ level: 40, req: { method: 'GET', url: '/missing' } });
  expect(lines[1]).toMatchObject({ level: 50 });
  expect(typeof lines[0]?.reqId).toBe('string');
});

test('all, off and sampled', async () => {
  expect(await linesFor({ mode: 'all', sample: 0 })).toHaveLength(4);
  expect(await linesFor({ mode: 'off', sample: 1 })).toHaveLength(0);
  // Sampled: errors always; successes when the draw falls under the fraction.
  expect(await linesFor({ mode: 'sampled', sample: 0.25 }, () => 0.5)).toHaveLength(2);
  expect(await linesFor({ mode: 'sampled', sample: 0.75 }, () => 0.5)).toHaveLength(4);
  expect(shouldLogRequest({ mode: 'sampled', sample: 0 }, 200, () => 0)).toBe(false);
  expect(() => parseEnv({ TRELLIS_REQUEST_LOG: 'verbose' })).toThrow(/TRELLIS_REQUEST_LOG/);
  expect(parseEnv({ TRELLIS_REQUEST_LOG: 'sampled', TRELLIS_REQUEST_LOG_SAMPLE: '0.1' }).requestLog).toEqual({
    mode: 'sampled',
    sample: 0.1,
  });
});
