import { backoffDelay } from '../resilience/backoff.js';
import { createHash } from 'node:crypto';
import {
  DelayedError,
  Job,
  Queue as BullQueue,
  Worker,
  type ConnectionOptions,
  type MinimalJob,
} from 'bullmq';
import {
  jobBackoff,
  DEFAULT_QUEUE_LIMITS,
  errorText,
  queueFull,
  ReleaseJob,
  resolveJobOptions,
  runAttempt,
  WorkerStopping,
  type EnqueueResult,
  type JobCounts,
  type JobHandler,
  type JobOptions,
  type JobPayload,
  type JobState,
  type Queue,
  type QueueLimits,
  type QueueWorker,
  type WorkOptions,
} from './queue.js';

export interface BullmqQueueOptions {
  /** redis:// or rediss:// (may hold a password: never logged). */
  readonly url: string;
  /** Key prefix; instances of one deployment share it. */
  readonly prefix: string;
  readonly limits?: QueueLimits;
  /** A job's lock: a worker that stops renewing it (died) loses the job after about this long. */
  readonly lockMs?: number;
}

/** What a BullMQ job carries: our payload and the options BullMQ has no field for. */
interface JobData {
  readonly payload: JobPayload;
  readonly timeoutMs: number;
}

const QUEUE_NAME = 'trellis-jobs';
const KEEP_FINISHED = { age: 7 * 86_400, count: 100_000 };
/** A dead worker's job is taken again; after this many such stalls it fails. */
const MAX_STALLS = 10;

/**
 * BullMQ on Redis behind the Queue seam, for deployments that already run Redis. Idempotency keys
 * become job ids (hashed: BullMQ ids may not contain ':'), so adding one twice finds the first while
 * finished jobs are kept (7 days). Priorities, attempts and the shared backoff map onto BullMQ's;
 * the timeout is ours (BullMQ 5 has none). A dead worker's lock runs out and the stalled-job check
 * of any worker puts the job back.
 */
export class BullmqQueue implements Queue {
  readonly kind = 'redis' as const;
  private readonly queue: BullQueue<JobData>;
  private readonly connection: ConnectionOptions;
  private readonly limits: QueueLimits;
  readonly lockMs: number;

  constructor(private readonly options: BullmqQueueOptions) {
    this.connection = { url: options.url, maxRetriesPerRequest: null };
    this.limits = options.limits ?? DEFAULT_QUEUE_LIMITS;
    this.lockMs = options.lockMs ?? 30_000;
    this.queue = new BullQueue<JobData>(QUEUE_NAME, { connection: this.connection, prefix: options.prefix });
  }

  async enqueue(name: string, payload: JobPayload, options: JobOptions = {}): Promise<EnqueueResult> {
    const { options: o } = resolveJobOptions(name, payload, options, this.limits);
    const jobId = o.idempotencyKey === null ? undefined : keyToJobId(o.idempotencyKey);
    // The key's first job wins; two enqueues racing on one key may both say created, yet add one job.
    if (jobId !== undefined && (await Job.fromId(this.queue, jobId))) return { id: jobId, created: false };
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'paused');
    const waiting = Object.values(c).reduce((a, b) => a + b, 0);
    if (waiting >= this.limits.maxQueued) throw queueFull(waiting, this.limits.maxQueued);
    const job = await this.queue.add(
      name,
      { payload, timeoutMs: o.timeoutMs },
      {
        ...(jobId === undefined ? {} : { jobId }),
        priority: o.priority,
        attempts: o.attempts,
        backoff: { type: 'trellis', delay: o.backoffMs },
        delay: o.delayMs,
        removeOnComplete: KEEP_FINISHED,
        removeOnFail: KEEP_FINISHED,
      },
    );
    if (job.id === undefined) throw new Error('BullMQ added a job without an id');
    return { id: job.id, created: true };
  }

  work(handler: JobHandler, options: WorkOptions): QueueWorker {
    return new BullmqWorker(this, handler, options);
  }

  createWorker(
    processor: ConstructorParameters<typeof Worker<JobData>>[1],
    concurrency: number,
  ): Worker<JobData> {
    return new Worker<JobData>(QUEUE_NAME, processor, {
      connection: this.connection,
      prefix: this.options.prefix,
      concurrency,
      lockDuration: this.lockMs,
      stalledInterval: Math.max(500, Math.floor(this.lockMs / 2)),
      maxStalledCount: MAX_STALLS,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, _err?: Error, job?: MinimalJob) => {
          const backoff = job?.opts.backoff;
          return backoffDelay(
            jobBackoff(typeof backoff === 'object' ? (backoff.delay ?? 1_000) : 1_000),
            attemptsMade,
          );
        },
      },
    });
  }

  async getJob(id: string): Promise<JobState | undefined> {
    const job = await Job.fromId<JobData>(this.queue, id);
    if (!job) return undefined;
    const state = await job.getState();
    const status =
      state === 'completed'
        ? 'completed'
        : state === 'failed'
          ? 'failed'
          : state === 'active'
            ? 'active'
            : 'queued';
    return {
      id,
      name: job.name,
      status,
      attemptsMade: job.attemptsMade,
      lastError: job.failedReason ? job.failedReason.slice(0, 2_000) : null,
    };
  }

  async counts(): Promise<JobCounts> {
    const c = await this.queue.getJobCounts(
      'waiting',
      'prioritized',
      'delayed',
      'paused',
      'active',
      'completed',
      'failed',
    );
    return {
      queued: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0) + (c.paused ?? 0),
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
  }

  /** Deletes every key of this queue (tests). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** BullMQ ids may not contain ':' nor be integers: a hash of the key, with a letter in front. */
function keyToJobId(key: string): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

class BullmqWorker implements QueueWorker {
  private readonly worker: Worker<JobData>;
  /** Running attempts: their abort controller → when they settle. */
  private readonly controllers = new Map<AbortController, Promise<void>>();
  private stopping = false;

  constructor(
    queue: BullmqQueue,
    handler: JobHandler,
    private readonly options: WorkOptions,
  ) {
    this.worker = queue.createWorker((job, token, bullSignal) => {
      const controller = new AbortController();
      if (this.stopping) controller.abort(new WorkerStopping());
      bullSignal?.addEventListener('abort', () => controller.abort(bullSignal.reason), { once: true });
      const processed = this.process(handler, job, token, controller);
      // Only to know when it settles (stop); BullMQ handles its outcome.
      const settled = processed.then(
        () => undefined,
        () => undefined,
      );
      this.controllers.set(controller, settled);
      void settled.then(() => this.controllers.delete(controller));
      return processed;
    }, options.concurrency);
    this.worker.on('error', (err) => options.onError(err));
  }

  get running(): number {
    return this.controllers.size;
  }

  private async process(
    handler: JobHandler,
    job: Job<JobData>,
    token: string | undefined,
    controller: AbortController,
  ): Promise<void> {
    try {
      await runAttempt(
        handler,
        {
          id: job.id ?? '',
          name: job.name,
          payload: job.data.payload,
          // A stall (the worker died) counts as an attempt, as a lost lease does on the store queue.
          attempt: job.attemptsMade + job.stalledCounter + 1,
          maxAttempts: job.opts.attempts ?? 1,
        },
        job.data.timeoutMs,
        controller.signal,
      );
    } catch (err) {
      if (err instanceof ReleaseJob && token !== undefined) {
        // Back to the queue at once without using up an attempt.
        await job.moveToDelayed(Date.now() + 50, token);
        throw new DelayedError();
      }
      // BullMQ keeps only the message: make it carry the code.
      throw new Error(errorText(err), { cause: err });
    }
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      await this.worker.pause(true); // fetch nothing more; running jobs go on
      const reason = new WorkerStopping();
      for (const c of this.controllers.keys()) c.abort(reason);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.controllers.values()),
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    // Jobs still running are given up: their lock is no longer renewed, runs out, and the stalled
    // check of another worker puts them back.
    await this.worker.close(this.controllers.size > 0);
  }
}
