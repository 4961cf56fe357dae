/**
 * The one backoff formula of the server: the wait before retry number `retry` (1-based) grows as
 * base·2^(retry−1) up to `maxMs`, with jitter so that clients that failed together do not come back
 * together. "equal": half of the step fixed, half random (each still waits a growing minimum: engine
 * connects, job retries). "full": anywhere from 0 to the step (an API's clients spread out the most:
 * pipeline requests). `random` is injectable so tests can pin the jitter.
 *
 * Why not cockatiel's ExponentialBackoff: its generators (decorrelated jitter, or none) draw from
 * Math.random with no way to inject it, so the behaviour tests could no longer pin a delay, and
 * neither generator is the equal jitter the job queues and engines document.
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly jitter: 'equal' | 'full';
}

export function backoffDelay(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** (Math.max(1, retry) - 1));
  return Math.round(policy.jitter === 'full' ? random() * step : step / 2 + random() * (step / 2));
}
