import type { EnrichSpec } from '../../config/project/pipeline.types.js';
import { backoffDelay } from '../../resilience/backoff.js';
import { CircuitBreakers } from '../../resilience/circuit-breaker.js';
import { sleep } from '../../resilience/sleep.js';
import type { SharedRateLimiter } from '../coordination/shared-rate-limiter.js';
import { retryAfterMs } from './http-fetcher.js';
import { sendRequest, SendError } from './http-send.js';
import type { BuiltRequest } from './request-builder.js';

/**
 * One enrichment call with the run's limits: a token from the shared rate limit before every attempt
 * (retries included), the resource's circuit breaker, a timeout per attempt, retries with the
 * server's backoff (full jitter) on network errors, timeouts, 5xx, 408, 429 (after its Retry-After,
 * capped at max_backoff) and unreadable bodies. Any other status is final. The outcome is the body or
 * the reason it failed — never a stand-in value: the caller stores a failed row as `failed`.
 */
export type CallOutcome = (
  { readonly ok: true; readonly body: unknown } | { readonly ok: false; readonly error: string }
) & {
  readonly attempts: number;
  /** Requests actually sent (an attempt refused by the open circuit sends none): what the API bills. */
  readonly sent: number;
  /** Sent requests answered with a 429. */
  readonly throttled: number;
  /** Sent requests that failed otherwise: network errors, timeouts, non-2xx, unreadable bodies. */
  readonly failures: number;
};

export interface CallOptions {
  readonly spec: EnrichSpec;
  /** The resource's circuit (one per rate-limit name or request origin). */
  readonly resource: string;
  readonly breakers: CircuitBreakers;
  readonly limiter: SharedRateLimiter | null;
  readonly signal: AbortSignal;
  readonly random?: () => number;
}

/** "The resource is down": what the breaker counts (network, timeout, 5xx). 429 and 4xx are not. */
class ResourceDown extends Error {
  constructor(
    message: string,
    readonly waitMs: number | null = null,
  ) {
    super(message);
  }
}

class Retryable extends Error {
  constructor(
    message: string,
    readonly waitMs: number | null = null,
    readonly throttled = false,
  ) {
    super(message);
  }
}

class Final extends Error {}

export function enrichBreakers(spec: EnrichSpec): CircuitBreakers {
  return new CircuitBreakers({
    failureThreshold: spec.circuit.failures,
    coolDownMs: spec.circuit.coolDownMs,
    isFailure: (err) => err instanceof ResourceDown,
  });
}

export async function callApi(request: BuiltRequest, options: CallOptions): Promise<CallOutcome> {
  const { spec, signal, breakers, resource } = options;
  const random = options.random ?? Math.random;
  const attempts = spec.retries + 1;
  let throttled = 0;
  let sent = 0;
  let failures = 0;
  let problem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    signal.throwIfAborted();
    let waitMs: number | null = null;
    try {
      try {
        breakers.admit(resource);
      } catch (err) {
        const retryIn =
          (err as { detail?: { retryInMs?: number } }).detail?.retryInMs ?? spec.circuit.coolDownMs;
        throw new Retryable(
          `the circuit of ${resource} is open (too many failures in a row)`,
          Math.max(1, retryIn),
        );
      }
      let body: unknown;
      try {
        if (options.limiter && spec.rateLimit) await options.limiter.take(spec.rateLimit, signal);
        signal.throwIfAborted();
        sent++;
        body = await attemptOnce(request, spec, signal);
      } catch (err) {
        breakers.record(resource, err);
        if (
          !signal.aborted &&
          (err instanceof Retryable || err instanceof ResourceDown || err instanceof Final)
        ) {
          if (err instanceof Retryable && err.throttled) throttled++;
          else failures++;
        }
        throw err;
      }
      breakers.record(resource, undefined);
      return { ok: true, body, attempts: attempt, sent, throttled, failures };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (err instanceof Final)
        return { ok: false, error: err.message, attempts: attempt, sent, throttled, failures };
      if (err instanceof Retryable || err instanceof ResourceDown) {
        problem = err.message;
        waitMs = err.waitMs;
      } else throw err;
    }
    if (attempt >= attempts) break;
    const jittered = backoffDelay(
      { baseMs: spec.backoffMs, maxMs: spec.maxBackoffMs, jitter: 'full' },
      attempt,
      random,
    );
    await sleep(Math.min(spec.maxBackoffMs, waitMs === null ? jittered : Math.max(waitMs, jittered)), signal);
  }
  return {
    ok: false,
    error: `${problem} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
    attempts,
    sent,
    throttled,
    failures,
  };
}

async function attemptOnce(request: BuiltRequest, spec: EnrichSpec, signal: AbortSignal): Promise<unknown> {
  let answer;
  try {
    answer = await sendRequest(request, {
      timeoutMs: spec.timeoutMs,
      signal,
      maxBytes: spec.maxResponseBytes,
    });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (!(err instanceof SendError)) throw err;
    switch (err.kind) {
      case 'too-large':
        throw new Final(err.message);
      case 'cut-off':
        throw new Retryable('the body was cut off');
      default:
        // No answer (network, timeout) or a body that stalled: the resource is down for the breaker.
        throw new ResourceDown(err.message);
    }
  }
  const { status, text } = answer;
  if (status < 200 || status >= 300) {
    const start = text.slice(0, 200).replace(/\s+/g, ' ');
    const detail = start ? `: ${start}` : '';
    if (status === 429) throw new Retryable(`HTTP 429 (rate limited)`, retryAfterMs(answer.retryAfter), true);
    if (status >= 500 || status === 408)
      throw new ResourceDown(`HTTP ${status}${detail}`, retryAfterMs(answer.retryAfter));
    throw new Final(`HTTP ${status}${detail}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Retryable(`the body is not valid JSON (${text.length} characters)`);
  }
}
