import { parseCron, type Cron } from './cron.js';
import type { PipelineRunner } from './pipeline-contract.js';
import type { Queue } from './queue.js';
import { scheduleKey, type StartScheduledRunTask } from './tasks/start-scheduled-run.task.js';

export interface SchedulerOptions {
  readonly pipelines: PipelineRunner;
  readonly queue: Queue;
  readonly task: StartScheduledRunTask;
  /** How often due ticks are looked for (a tick starts at most this late). */
  readonly intervalMs?: number;
  /** Also called every interval: repairs runs a crash left between two steps. */
  readonly reconcile?: () => Promise<void>;
  readonly now?: () => number;
  readonly onError: (err: unknown) => void;
}

/** A tick missed by more than this (all instances down) is not run late. */
const MAX_LATE_MS = 60 * 60_000;

/**
 * Turns the pipelines' cron schedules into runs. Every instance with a worker runs one; each
 * enqueues the due tick with the key `schedule:<pipeline>:<tick>`, so the queue keeps one job per
 * tick and the tick starts one run whichever instance gets there first. After a restart the last
 * tick missed within the hour still runs (once).
 */
export class Scheduler {
  private readonly crons = new Map<string, Cron>();
  private readonly checked = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
    for (const p of options.pipelines.list()) {
      if (!p.schedule) continue;
      try {
        this.crons.set(p.id, parseCron(p.schedule));
      } catch (err) {
        options.onError(err);
      }
    }
  }

  start(): void {
    if (this.timer) return;
    const every = this.options.intervalMs ?? 15_000;
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick());
    }, every);
    this.ticking = this.ticking.then(() => this.tick());
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Enqueues every pipeline's latest due tick not enqueued yet by this scheduler. */
  async tick(): Promise<void> {
    const now = this.now();
    for (const [pipelineId, cron] of this.crons) {
      const from = Math.max(this.checked.get(pipelineId) ?? now - MAX_LATE_MS, now - MAX_LATE_MS);
      let due: number | null = null;
      for (let t = cron.next(from - 1); t !== null && t <= now; t = cron.next(t)) due = t;
      if (due === null) continue;
      const tick = new Date(due).toISOString();
      try {
        await this.options.task.enqueue(
          this.options.queue,
          { pipelineId, tick },
          { idempotencyKey: scheduleKey(pipelineId, tick) },
        );
        this.checked.set(pipelineId, due + 1);
      } catch (err) {
        this.options.onError(err);
      }
    }
    if (this.options.reconcile)
      await this.options.reconcile().catch((err: unknown) => this.options.onError(err));
  }
}
