import { backoffDelay } from './backoff.js';
import { sleep } from './sleep.js';

/**
 * Retries of transient failures with the server's backoff (backoff.ts, equal jitter). Engines use it
 * only around opening (or re-validating) a connection — never around a statement that may have
 * reached the server, since running a statement twice is not ours to decide.
 */
export interface RetryPolicy {
  /** Tries in total, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export async function withRetry<T>(
  attempt: () => Promise<T>,
  isTransient: (err: unknown) => boolean,
  policy: RetryPolicy,
  signal?: AbortSignal,
  random?: () => number,
): Promise<T> {
  const backoff = { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 'equal' } as const;
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (err) {
      if (tried >= policy.attempts || !isTransient(err) || signal?.aborted) throw err;
      await sleep(backoffDelay(backoff, tried, random), signal);
    }
  }
}
