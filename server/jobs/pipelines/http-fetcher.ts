import { backoffDelay, type BackoffPolicy } from '../../resilience/backoff.js';
import { sleep } from '../../resilience/sleep.js';
import type { HttpSpec } from '../../config/project/pipeline.types.js';

/**
 * Fetches one page of an HTTP pipeline and parses it, within the pipeline's limits: a rate limit
 * shared by all requests of the run, a timeout per request, and retries with exponential backoff
 * and full jitter on what may pass (network errors, timeouts, 5xx, 408, 429 — after its
 * Retry-After, capped — and bodies that are cut off or not the JSON expected). Any other status is
 * final. Nothing here writes: a page that fails leaves the checkpoint where it was.
 */

/** The server answered a status that retrying will not change (e.g. 400 for an expired page token). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly bodyStart: string,
  ) {
    super(`HTTP ${status}${bodyStart ? `: ${bodyStart}` : ''}`);
  }
}

/** Every attempt failed; `lastProblem` says how the last one did. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly lastProblem: string,
  ) {
    super(`${lastProblem} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`);
  }
}

export class PageTooLargeError extends Error {}

/** Requests per second across a run: each request starts no sooner than 1/rate after the previous. */
export class RateLimiter {
  private next = 0;
  constructor(private readonly perSecond: number | null) {}

  async take(signal: AbortSignal): Promise<void> {
    if (this.perSecond === null) return;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await sleep(at - now, signal);
  }
}

export interface FetchedPage {
  readonly body: unknown;
  /** The `Link` header (link pagination). */
  readonly link: string | null;
  readonly attempts: number;
}

export interface FetchOptions {
  readonly spec: HttpSpec;
  readonly limiter: RateLimiter;
  readonly signal: AbortSignal;
  /** Checks the parsed body has the expected shape; a message means "retry, it is not right". */
  readonly check: (body: unknown) => string | null;
  readonly onRetry: (problem: string, attempt: number, waitMs: number) => void;
  /** For tests: the random source of the jitter. */
  readonly random?: () => number;
  /** The pipeline's `http.headers`, templates resolved (secrets included: never logged). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/**
 * The pipeline's retry policy (`backoff`, `max_backoff` in pipelines/*.yaml): full jitter, so the
 * clients of one API spread out the most; a Retry-After longer than the jittered wait wins (fetchPage).
 */
export function requestBackoff(spec: Pick<HttpSpec, 'backoffMs' | 'maxBackoffMs'>): BackoffPolicy {
  return { baseMs: spec.backoffMs, maxMs: spec.maxBackoffMs, jitter: 'full' };
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly waitMs: number | null = null,
  ) {
    super(message);
  }
}

export async function fetchPage(url: URL, options: FetchOptions): Promise<FetchedPage> {
  const { spec, signal } = options;
  const random = options.random ?? Math.random;
  const attempts = spec.retries + 1;
  let lastProblem = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    signal.throwIfAborted();
    await options.limiter.take(signal);
    try {
      const page = await attemptOnce(url, options);
      return { ...page, attempts: attempt + 1 };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (!(err instanceof RetryableError)) throw err;
      lastProblem = err.message;
      if (attempt + 1 >= attempts) break;
      const jittered = backoffDelay(requestBackoff(spec), attempt + 1, random);
      const wait = Math.min(
        spec.maxBackoffMs,
        err.waitMs === null ? jittered : Math.max(err.waitMs, jittered),
      );
      options.onRetry(err.message, attempt + 1, wait);
      await sleep(wait, signal);
    }
  }
  throw new RetriesExhaustedError(attempts, lastProblem);
}

async function attemptOnce(url: URL, options: FetchOptions): Promise<Omit<FetchedPage, 'attempts'>> {
  const { spec, signal } = options;
  const timeout = AbortSignal.timeout(spec.timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  let res: Response;
  try {
    res = await fetch(url, {
      signal: both,
      headers: { accept: 'application/json', ...options.headers },
      redirect: 'follow',
    });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) throw new RetryableError(`no answer within ${spec.timeoutMs} ms`);
    throw new RetryableError(`network error: ${describe(err)}`);
  }
  if (res.status !== 200) {
    const start = (await readText(res, both, 512).catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
    if (res.status === 429)
      throw new RetryableError('HTTP 429 (rate limited)', retryAfterMs(res.headers.get('retry-after')));
    if (res.status >= 500 || res.status === 408)
      throw new RetryableError(`HTTP ${res.status}`, retryAfterMs(res.headers.get('retry-after')));
    throw new HttpStatusError(res.status, start);
  }
  let text: string;
  try {
    text = await readText(res, both, spec.maxPageBytes);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (err instanceof PageTooLargeError) throw err;
    if (timeout.aborted) throw new RetryableError(`the body did not arrive within ${spec.timeoutMs} ms`);
    throw new RetryableError(`the body was cut off (${describe(err)})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RetryableError(`the body is not valid JSON (${text.length} characters)`);
  }
  text = '';
  const problem = options.check(body);
  if (problem) throw new RetryableError(problem);
  return { body, link: res.headers.get('link') };
}

/** The body as text, refusing more than `maxBytes` (counted as it arrives, not trusted from headers). */
export async function readText(res: Response, signal: AbortSignal, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body.cancel().catch(() => undefined);
    throw new PageTooLargeError(`the response is ${declared} bytes, above max_page_bytes (${maxBytes})`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new PageTooLargeError(`the response is larger than max_page_bytes (${maxBytes})`);
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted) throw new Error('aborted');
  const declaredLength = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declaredLength) && size < declaredLength)
    throw new Error(`${size} of ${declaredLength} bytes arrived`);
  return Buffer.concat(chunks, size).toString('utf8');
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    // fetch() says "fetch failed"; what failed is in its cause (a code, or a message such as "bad port").
    const cause = (err as { cause?: unknown }).cause as { code?: unknown; message?: unknown } | undefined;
    const why =
      typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
    return why ? `${err.message} (${why})` : err.message;
  }
  return String(err);
}
