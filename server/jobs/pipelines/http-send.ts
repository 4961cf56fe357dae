import http from 'node:http';
import https from 'node:https';
import type { BuiltRequest } from './request-builder.js';

/**
 * One HTTP exchange for an enrichment call, on node:http with keep-alive agents rather than fetch():
 * at thousands of calls per second fetch's web streams, per-call AbortSignal.any and Response objects
 * cost more CPU than the API's answer (the `enrichment` benchmark: fetch held the run to a fifth of its
 * goal). The body is read with a byte bound counted as it arrives; redirects are not followed (a 3xx is
 * an answer like any other non-2xx); the whole exchange — connect, headers, body — has one deadline.
 */
export interface SentAnswer {
  readonly status: number;
  readonly retryAfter: string | null;
  /** The body as text, or its first `maxBytes` when the status is not 2xx (details for the error). */
  readonly text: string;
}

/** Why an exchange gave no answer; `kind` tells the caller what to make of it. */
export class SendError extends Error {
  constructor(
    readonly kind: 'network' | 'timeout' | 'body-timeout' | 'cut-off' | 'too-large',
    message: string,
  ) {
    super(message);
  }
}

/** Sockets kept open between calls: one per call in flight (concurrency is at most 32 per run). */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 }),
} as const;

export function sendRequest(
  request: BuiltRequest,
  options: { readonly timeoutMs: number; readonly signal: AbortSignal; readonly maxBytes: number },
): Promise<SentAnswer> {
  const { url } = request;
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:')
    return Promise.reject(new SendError('network', `unsupported protocol ${url.protocol}`));
  return new Promise<SentAnswer>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const finish = (err: Error | null, answer?: SentAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(answer as SentAnswer);
    };
    const onAbort = () => finish(options.signal.reason as Error);
    const timer = setTimeout(
      () =>
        finish(
          answered
            ? new SendError('body-timeout', `the body did not arrive within ${options.timeoutMs} ms`)
            : new SendError('timeout', `no answer within ${options.timeoutMs} ms`),
        ),
      options.timeoutMs,
    );
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    const req = (secure ? https : http).request(
      url,
      { method: request.method, headers, agent: agents[secure ? 'https:' : 'http:'] },
      (res) => {
        answered = true;
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        // A non-2xx body is only read for the error's first words.
        const limit = ok ? options.maxBytes : 2_048;
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (ok && Number.isFinite(declared) && declared > limit) {
          res.destroy();
          return finish(
            new SendError(
              'too-large',
              `the response is ${declared} bytes, above max_response_bytes (${limit})`,
            ),
          );
        }
        const chunks: Buffer[] = [];
        let size = 0;
        const retryAfter = res.headers['retry-after'];
        const answer = () => ({
          status,
          retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
          text: Buffer.concat(chunks, size).toString('utf8'),
        });
        res.on('data', (chunk: Buffer) => {
          if (size + chunk.length > limit) {
            if (!ok) {
              chunks.push(chunk.subarray(0, limit - size));
              size = limit;
              res.destroy();
              return finish(null, answer());
            }
            res.destroy();
            return finish(
              new SendError('too-large', `the response is larger than max_response_bytes (${limit})`),
            );
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          if (Number.isFinite(declared) && size < declared && ok)
            return finish(new SendError('cut-off', `${size} of ${declared} bytes arrived`));
          finish(null, answer());
        });
        res.on('aborted', () => finish(new SendError('cut-off', 'the body was cut off')));
        res.on('error', () => finish(new SendError('cut-off', 'the body was cut off')));
      },
    );
    req.on('error', (err: Error & { code?: string }) =>
      finish(
        answered
          ? new SendError('cut-off', 'the body was cut off')
          : new SendError('network', `network error: ${err.code ?? err.message}`),
      ),
    );
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    req.end(request.body);
  });
}
