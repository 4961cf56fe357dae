/**
 * Retries of transient failures with exponential backoff and jitter. Engines use it only around
 * opening (or re-validating) a connection — never around a statement that may have reached the
 * server, since running a statement twice is not ours to decide.
 */
export interface RetryPolicy {
  /** Tries in total, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const CONNECT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

/**
 * The wait before retry number `retry` (1-based): half of the exponential step is fixed, half is
 * random ("equal jitter"), so clients that failed together do not come back together, yet each
 * still waits a growing minimum.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return step / 2 + random() * (step / 2);
}

export async function withRetry<T>(
  attempt: () => Promise<T>,
  isTransient: (err: unknown) => boolean,
  policy: RetryPolicy,
  signal?: AbortSignal,
  random?: () => number,
): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (err) {
      if (tried >= policy.attempts || !isTransient(err) || signal?.aborted) throw err;
      await sleep(backoffDelay(policy, tried, random), signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
