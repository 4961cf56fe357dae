import type { JobsConfig } from '../config/env.js';
import type { Project } from '../config/project/project.types.js';
import type { Engine } from '../query/engine.js';
import type { Store } from '../store/store.js';
import { NO_PIPELINES, type PipelineRunner } from './pipeline-contract.js';
import { Publications } from './publications.js';
import { DEFAULT_QUEUE_LIMITS, type JobPayload, type Queue, type QueueWorker } from './queue.js';
import { RunEvents } from './run-events.js';
import { RunExecutor } from './run-executor.js';
import { RunsService } from './runs.service.js';
import { Scheduler } from './scheduler.js';
import { StoreQueue } from './store-queue.js';
import { taskHandler, type Task } from './task.js';
import { StartScheduledRunTask } from './tasks/start-scheduled-run.task.js';

/** The part of a logger the job system writes to (pino's shape). */
export interface JobLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobSystemOptions {
  readonly config: JobsConfig;
  readonly store: Store;
  readonly project: Project;
  readonly engines: ReadonlyMap<string, Engine>;
  /** Dataset invalidation (QueryRunner.invalidate: bumps the version, pushes to open dashboards). */
  readonly invalidate: (datasets: readonly string[]) => Promise<void>;
  readonly pipelines?: PipelineRunner;
  /** A queue to use instead of opening the configured one (the caller closes it). */
  readonly queue?: Queue;
  /** Redis key prefix part for BullMQ (instances of one deployment share it). */
  readonly namespace: string;
  readonly maxEventStreams: number;
  readonly logger: JobLogger;
  /** Timings tests shorten. */
  readonly timings?: {
    readonly cancelPollMs?: number;
    readonly eventsPollMs?: number;
    readonly publicationsPollMs?: number;
    readonly schedulerIntervalMs?: number;
  };
  readonly now?: () => number;
  /** More tasks this process's worker runs (export files), bound by their owners. */
  readonly tasks?: readonly Task<JobPayload>[];
  /** Housekeeping the worker runs every minute while it runs (deleting expired export files). */
  readonly housekeeping?: () => Promise<void>;
  /** More polls the worker runs while it runs, each every `everyMs` (due scheduled reports). */
  readonly polls?: readonly { readonly everyMs: number; readonly run: () => Promise<void> }[];
}

/**
 * Everything of the job system one process holds: the queue, the runs service, run events for SSE,
 * publications. Passive until asked: `startWorker()` (roles `all` and `worker`) takes jobs and runs
 * the scheduler; `watchPublications()` (roles `all` and `web`) reopens and invalidates data other
 * processes published.
 */
export class JobSystem {
  readonly queue: Queue;
  readonly runs: RunsService;
  readonly events: RunEvents;
  readonly publications: Publications;
  private readonly executor: RunExecutor;
  private readonly scheduler: Scheduler;
  private readonly ownsQueue: boolean;
  private worker: QueueWorker | undefined;
  private housekeeping: NodeJS.Timeout | undefined;
  private readonly pollTimers: NodeJS.Timeout[] = [];

  /** The job system on `options.queue`, or on the configured queue, opened here and closed by stop(). */
  static async open(options: JobSystemOptions): Promise<JobSystem> {
    const owned = options.queue
      ? undefined
      : await openQueue(options.config, options.store, options.namespace);
    return new JobSystem(options, owned);
  }

  private constructor(
    private readonly options: JobSystemOptions,
    ownedQueue: Queue | undefined,
  ) {
    const { config, store, logger } = options;
    const onError = (err: unknown) => logger.error({ err }, 'job system error');
    this.ownsQueue = ownedQueue !== undefined;
    const queue = ownedQueue ?? options.queue;
    if (!queue) throw new Error('JobSystem needs a queue');
    this.queue = queue;
    this.events = new RunEvents(store, {
      maxStreams: options.maxEventStreams,
      onError,
      ...(options.timings?.eventsPollMs ? { pollMs: options.timings.eventsPollMs } : {}),
    });
    const pipelines = options.pipelines ?? NO_PIPELINES;
    this.runs = new RunsService({
      store,
      queue: this.queue,
      pipelines,
      onChange: () => this.events.poke(),
      ...(options.now ? { now: options.now } : {}),
    });
    this.runs.task.setTimeout(config.jobTimeoutMs);
    this.publications = new Publications(store, {
      onError,
      ...(options.timings?.publicationsPollMs ? { pollMs: options.timings.publicationsPollMs } : {}),
    });
    this.publications.setHandler((datasets) => this.apply(datasets));
    this.executor = new RunExecutor({
      runs: this.runs,
      publications: this.publications,
      onError,
      onChange: () => this.events.poke(),
      ...(options.timings?.cancelPollMs ? { cancelPollMs: options.timings.cancelPollMs } : {}),
    });
    this.runs.task.bind((runId, context) => this.executor.execute(runId, context));
    const scheduledRun = new StartScheduledRunTask(this.runs, (pipeline, tick) =>
      logger.info({ pipeline, tick }, 'schedule tick skipped: the pipeline is still running'),
    );
    this.scheduler = new Scheduler({
      pipelines,
      queue: this.queue,
      task: scheduledRun,
      reconcile: () => this.runs.reconcile(),
      onError,
      ...(options.timings?.schedulerIntervalMs ? { intervalMs: options.timings.schedulerIntervalMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.handler = taskHandler([this.runs.task, scheduledRun, ...(options.tasks ?? [])]);
  }

  private readonly handler: ReturnType<typeof taskHandler>;

  get working(): boolean {
    return this.worker !== undefined;
  }

  /** Takes jobs (pipeline runs, schedule ticks) and runs the scheduler. */
  startWorker(): void {
    if (this.worker) return;
    const { logger } = this.options;
    this.worker = this.queue.work(this.handler, {
      concurrency: this.options.config.concurrency,
      onError: (err) => logger.warn({ err }, 'job worker error'),
    });
    this.scheduler.start();
    const housekeeping = this.options.housekeeping;
    if (housekeeping) {
      const tick = () =>
        void housekeeping().catch((err: unknown) => logger.error({ err }, 'job housekeeping failed'));
      tick();
      this.housekeeping = setInterval(tick, 60_000);
      this.housekeeping.unref();
    }
    for (const poll of this.options.polls ?? []) {
      // One run at a time per poll: a slow one is not stacked on by the next interval.
      let running: Promise<void> | undefined;
      const tick = () => {
        if (running) return;
        running = poll
          .run()
          .catch((err: unknown) => logger.error({ err }, 'job poll failed'))
          .finally(() => (running = undefined));
      };
      tick();
      const timer = setInterval(tick, poll.everyMs);
      timer.unref();
      this.pollTimers.push(timer);
    }
    logger.info(
      { queue: this.queue.kind, concurrency: this.options.config.concurrency },
      'job worker started',
    );
  }

  /** Looks for data other processes published (web processes). */
  watchPublications(): void {
    this.publications.watch();
  }

  /**
   * Graceful stop: no new jobs or ticks; running runs are aborted with reason shutdown, stop at
   * their next checkpoint and go back to the queue; after `graceMs` the rest is left to lease expiry.
   */
  async stop(graceMs: number): Promise<void> {
    await this.scheduler.stop();
    clearInterval(this.housekeeping);
    for (const timer of this.pollTimers.splice(0)) clearInterval(timer);
    if (this.worker) await this.worker.stop(graceMs);
    this.worker = undefined;
    await this.publications.stop();
    this.events.close();
    this.executor.close();
    if (this.ownsQueue) await this.queue.close();
  }

  /** A publication in this process: reopen replaced files, then invalidate (pushes to dashboards). */
  private async apply(datasets: readonly string[]): Promise<void> {
    const { project, engines } = this.options;
    const known = datasets.filter((d) => project.datasets.has(d));
    const sources = new Set(known.map((d) => project.datasets.get(d)?.source));
    for (const source of sources) {
      const engine = source === undefined ? undefined : engines.get(source);
      if (engine?.reopen) await engine.reopen();
    }
    if (known.length > 0) await this.options.invalidate(known);
  }
}

export async function openQueue(config: JobsConfig, store: Store, namespace: string): Promise<Queue> {
  const limits = { ...DEFAULT_QUEUE_LIMITS, maxQueued: config.maxQueued };
  if (config.queue === 'redis') {
    if (!config.redisUrl) throw new Error('TRELLIS_QUEUE=redis needs TRELLIS_REDIS_URL');
    // bullmq and ioredis are loaded only for a Redis queue.
    const { BullmqQueue } = await import('./bullmq-queue.js');
    return new BullmqQueue({
      url: config.redisUrl,
      prefix: `trellis-${namespace}`,
      limits,
      lockMs: config.leaseMs,
    });
  }
  return new StoreQueue(store, { limits, leaseMs: config.leaseMs });
}
