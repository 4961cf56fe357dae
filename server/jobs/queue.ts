import type { BackoffPolicy } from '../resilience/backoff.js';
import type { Kysely } from 'kysely';
import { TrellisError } from '../errors.js';
import type { Database } from '../store/database.types.js';

/**
 * The Queue seam: background jobs, kept in the metadata store (store-queue.ts, the default) or in
 * Redis through BullMQ (bullmq-queue.ts). Both pass one contract suite (queue.contract.test.ts).
 *
 * Delivery is at least once: a job whose worker dies is taken again when its lease (store) or lock
 * (BullMQ) runs out. Tasks therefore make their effects idempotent, keyed by the job (or, on the
 * store queue, commit them in the transaction that completes the job: `completeWith`).
 */
export interface Queue {
  readonly kind: 'store' | 'redis';
  /**
   * Adds a job, or finds the one with the same idempotency key (`created: false`): enqueueing a key
   * twice runs it once. QUEUE_FULL when `maxQueued` jobs already wait.
   */
  enqueue(name: string, payload: JobPayload, options?: JobOptions): Promise<EnqueueResult>;
  /** Starts taking jobs for `handler` (one worker per process is the norm). */
  work(handler: JobHandler, options: WorkOptions): QueueWorker;
  /** A job's state, or undefined once it is gone (pruned, or never existed). */
  getJob(id: string): Promise<JobState | undefined>;
  counts(): Promise<JobCounts>;
  /** Closes connections (not the store, which its opener owns). Stop workers first. */
  close(): Promise<void>;
}

/** JSON only, and small: ids, not rows (docs/jobs.md). */
export type JobPayload = Readonly<Record<string, string | number | boolean | null>>;

export interface JobOptions {
  /** Enqueueing the same key again is a no-op while the first job is kept (≤ 200 characters). */
  readonly idempotencyKey?: string;
  /** 1 runs first … 1000 runs last; default 100. */
  readonly priority?: number;
  /** Tries in all, including the first; default 3. */
  readonly attempts?: number;
  /** Base of the exponential backoff: attempt n waits about base·2^(n-1), with jitter. Default 1 s. */
  readonly backoffMs?: number;
  /** An attempt running longer is aborted and fails with JOB_TIMEOUT. Default 1 hour. */
  readonly timeoutMs?: number;
  /** Not before this many ms from now. */
  readonly delayMs?: number;
}

export interface EnqueueResult {
  readonly id: string;
  /** False when a job with the same idempotency key already existed (nothing was added). */
  readonly created: boolean;
}

export interface QueuedJob {
  readonly id: string;
  readonly name: string;
  readonly payload: JobPayload;
  /** 1 for the first try. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export interface JobContext {
  /**
   * Aborted when the worker shuts down (reason: a `WorkerStopping`), when the attempt times out, or
   * when the job's lease was lost to another worker. Handlers stop at their next checkpoint.
   */
  readonly signal: AbortSignal;
  /**
   * Store queue only: registers a write that commits in the same transaction as the job's
   * completion, and only if this worker still holds the job (fencing). Exactly-once effects in the
   * metadata store without keys of their own.
   */
  readonly completeWith?: (effect: (tx: Kysely<Database>) => Promise<void>) => void;
}

export type JobHandler = (job: QueuedJob, context: JobContext) => Promise<void>;

export interface WorkOptions {
  /** Jobs run at once by this worker. */
  readonly concurrency: number;
  /** Called with failures the worker cannot hand to a job (store down, lost lease); never thrown. */
  readonly onError: (err: unknown) => void;
}

export interface QueueWorker {
  /** Jobs running now. */
  readonly running: number;
  /**
   * Graceful stop: claim nothing more, abort running jobs with a `WorkerStopping` reason, wait for
   * them up to `graceMs` (a job that ends by throwing `ReleaseJob` goes back to the queue without
   * using an attempt), then give up on the rest — their lease runs out and another worker takes them.
   */
  stop(graceMs: number): Promise<void>;
}

export type JobStatus = 'queued' | 'active' | 'completed' | 'failed';

export interface JobState {
  readonly id: string;
  readonly name: string;
  readonly status: JobStatus;
  readonly attemptsMade: number;
  readonly lastError: string | null;
}

export interface JobCounts {
  readonly queued: number;
  readonly active: number;
  readonly completed: number;
  readonly failed: number;
}

/** The bounds every queue enforces. */
export interface QueueLimits {
  /** Jobs waiting (queued, delayed, active) at most; QUEUE_FULL beyond. */
  readonly maxQueued: number;
  /** Largest payload, as JSON bytes. */
  readonly maxPayloadBytes: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxQueued: 10_000, maxPayloadBytes: 4_096 };

/** Thrown by a handler to hand its job back untouched (shutdown): no attempt is used up. */
export class ReleaseJob extends Error {
  constructor(reason: string) {
    super(`job released: ${reason}`);
    this.name = 'ReleaseJob';
  }
}

/** The abort reason a stopping worker gives its running jobs. */
export class WorkerStopping extends Error {
  constructor() {
    super('the worker is shutting down');
    this.name = 'WorkerStopping';
  }
}

/** The abort reason of an attempt that ran past its timeout. */
export class JobTimedOut extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the job ran longer than ${timeoutMs} ms`);
    this.name = 'JobTimedOut';
  }
}

export interface ResolvedJobOptions {
  readonly idempotencyKey: string | null;
  readonly priority: number;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly timeoutMs: number;
  readonly delayMs: number;
}

/** Checks and fills in options; both queues call it so they refuse the same things. */
export function resolveJobOptions(
  name: string,
  payload: JobPayload,
  options: JobOptions,
  limits: QueueLimits,
): { options: ResolvedJobOptions; json: string } {
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(name)) throw new Error(`invalid job name "${name}"`);
  const json = JSON.stringify(payload);
  if (Buffer.byteLength(json, 'utf8') > limits.maxPayloadBytes)
    throw new Error(
      `job "${name}" payload is ${Buffer.byteLength(json, 'utf8')} bytes, more than ${limits.maxPayloadBytes}: pass ids, not data`,
    );
  const key = options.idempotencyKey ?? null;
  if (key !== null && (key.length === 0 || key.length > 200))
    throw new Error('an idempotency key has 1 to 200 characters');
  const int = (value: number | undefined, fallback: number, min: number, max: number, what: string) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min || v > max)
      throw new Error(`job ${what} must be an integer ${min}–${max}`);
    return v;
  };
  return {
    json,
    options: {
      idempotencyKey: key,
      priority: int(options.priority, 100, 1, 1000, 'priority'),
      attempts: int(options.attempts, 3, 1, 100, 'attempts'),
      backoffMs: int(options.backoffMs, 1_000, 0, 3_600_000, 'backoff'),
      timeoutMs: int(options.timeoutMs, 3_600_000, 1, 86_400_000, 'timeout'),
      delayMs: int(options.delayMs, 0, 0, 30 * 86_400_000, 'delay'),
    },
  };
}

/**
 * A job's retry policy: the wait before attempt `n + 1` after attempt `n` failed is
 * `backoffDelay(jobBackoff(base), n)` (resilience/backoff.ts): base·2^(n−1), capped at an hour, with
 * equal jitter so retries of many jobs spread out instead of arriving together.
 */
export function jobBackoff(baseMs: number): BackoffPolicy {
  return { baseMs, maxMs: 3_600_000, jitter: 'equal' };
}

export function queueFull(queued: number, max: number): TrellisError {
  return new TrellisError('QUEUE_FULL', { detail: { queued, max }, retryAfterSeconds: 30 });
}

/**
 * Runs one attempt of a handler with its timeout: the signal aborts (JobTimedOut) and the attempt
 * fails with JOB_TIMEOUT even if the handler ignores the signal.
 */
export async function runAttempt(
  handler: JobHandler,
  job: QueuedJob,
  timeoutMs: number,
  outer: AbortSignal,
  completeWith?: JobContext['completeWith'],
): Promise<void> {
  const controller = new AbortController();
  const forward = () => controller.abort(outer.reason);
  if (outer.aborted) forward();
  else outer.addEventListener('abort', forward, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = new JobTimedOut(timeoutMs);
      controller.abort(reason);
      reject(new TrellisError('JOB_TIMEOUT', { detail: { job: job.name, id: job.id, timeoutMs } }));
    }, timeoutMs);
  });
  try {
    await Promise.race([
      handler(job, { signal: controller.signal, ...(completeWith ? { completeWith } : {}) }),
      timedOut,
    ]);
  } catch (err) {
    // The handler may reject with the abort reason before the timer's own rejection wins the race.
    if (controller.signal.reason instanceof JobTimedOut)
      throw new TrellisError('JOB_TIMEOUT', { detail: { job: job.name, id: job.id, timeoutMs }, cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', forward);
  }
}

export function errorText(err: unknown): string {
  const text =
    err instanceof TrellisError
      ? `${err.code}: ${err.message}`
      : err instanceof Error
        ? err.message
        : String(err);
  return text.slice(0, 2_000);
}
