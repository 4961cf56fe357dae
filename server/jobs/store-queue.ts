import { backoffDelay } from '../resilience/backoff.js';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, JobsTable } from '../store/database.types.js';
import type { Store } from '../store/store.js';
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
  type QueuedJob,
  type QueueWorker,
  type WorkOptions,
} from './queue.js';
import { writeTransaction } from '../store/store-transaction.js';

export interface StoreQueueOptions {
  readonly limits?: QueueLimits;
  /** How long a claim holds a job without a heartbeat; a dead worker's jobs are taken again after it. */
  readonly leaseMs?: number;
  /** How often an idle worker looks for jobs (enqueues in this process wake it at once). */
  readonly pollMs?: number;
  /** Completed and failed jobs are deleted this long after they finish (idempotency keys with them). */
  readonly retentionMs?: number;
}

type JobRow = Pick<
  JobsTable,
  'name' | 'payload' | 'status' | 'attempts_made' | 'max_attempts' | 'backoff_ms' | 'timeout_ms' | 'locked_by'
> & { id: number };

/** The lease was taken over by another worker (ours ran out): this worker's outcome does not count. */
export class LeaseLost extends Error {
  constructor(readonly jobId: string) {
    super(`lost the lease of job ${jobId}`);
    this.name = 'LeaseLost';
  }
}

/**
 * The embedded queue: jobs are rows of the metadata store, so they survive restarts and need no
 * other service. A worker claims jobs by writing a fencing token and a lease expiry (PostgreSQL:
 * FOR UPDATE SKIP LOCKED, so concurrent claimers never block on or take the same row; SQLite: one
 * IMMEDIATE transaction at a time), renews the lease while the job runs, and completes, retries or
 * releases it only while the token is still its own. A killed worker's job is claimed again when
 * its lease runs out.
 */
export class StoreQueue implements Queue {
  readonly kind = 'store' as const;
  readonly leaseMs: number;
  readonly pollMs: number;
  private readonly limits: QueueLimits;
  private readonly retentionMs: number;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly store: Store,
    options: StoreQueueOptions = {},
  ) {
    this.limits = options.limits ?? DEFAULT_QUEUE_LIMITS;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 500;
    this.retentionMs = options.retentionMs ?? 7 * 86_400_000;
  }

  async enqueue(name: string, payload: JobPayload, options: JobOptions = {}): Promise<EnqueueResult> {
    const { options: o, json } = resolveJobOptions(name, payload, options, this.limits);
    const now = Date.now();
    const result = await writeTransaction(this.store, async (tx) => {
      if (o.idempotencyKey !== null) {
        const existing = await findByKey(tx, o.idempotencyKey);
        if (existing) return existing;
      }
      const waiting = await tx
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['queued', 'active'])
        .executeTakeFirstOrThrow();
      if (Number(waiting.n) >= this.limits.maxQueued)
        throw queueFull(Number(waiting.n), this.limits.maxQueued);
      const inserted = await tx
        .insertInto('jobs')
        .values({
          name,
          payload: json,
          idempotency_key: o.idempotencyKey,
          status: 'queued',
          priority: o.priority,
          attempts_made: 0,
          max_attempts: o.attempts,
          backoff_ms: o.backoffMs,
          timeout_ms: o.timeoutMs,
          run_at: now + o.delayMs,
          locked_by: null,
          lease_until: null,
          created_at: now,
          started_at: null,
          finished_at: null,
          last_error: null,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) return { id: String(inserted.id), created: true };
      // PostgreSQL: a concurrent enqueue of the same key committed first.
      const other = o.idempotencyKey === null ? undefined : await findByKey(tx, o.idempotencyKey);
      if (!other) throw new Error('job insert conflicted but no job holds its key');
      return other;
    });
    if (result.created) for (const wake of this.wakers) wake();
    return result;
  }

  work(handler: JobHandler, options: WorkOptions): QueueWorker {
    return new StoreQueueWorker(this, handler, options);
  }

  async getJob(id: string): Promise<JobState | undefined> {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const row = await this.store.db
      .selectFrom('jobs')
      .select(['id', 'name', 'status', 'attempts_made', 'last_error'])
      .where('id', '=', Number(id))
      .executeTakeFirst();
    return row
      ? { id, name: row.name, status: row.status, attemptsMade: row.attempts_made, lastError: row.last_error }
      : undefined;
  }

  async counts(): Promise<JobCounts> {
    const rows = await this.store.db
      .selectFrom('jobs')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const counts = { queued: 0, active: 0, completed: 0, failed: 0 };
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }

  async close(): Promise<void> {
    this.wakers.clear();
  }

  /** Called when jobs may be waiting (an enqueue here); returns the unsubscribe. */
  onWake(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }

  /**
   * Claims up to `max` jobs for `workerId`: due queued jobs and active ones whose lease ran out,
   * highest priority (lowest number) first, then oldest. Each claim uses up one attempt.
   */
  async claim(max: number, workerId: string): Promise<Claimed[]> {
    if (max <= 0) return [];
    const now = Date.now();
    const token = `${workerId}:${randomBytes(6).toString('hex')}`;
    const rows = await writeTransaction(this.store, async (tx) => {
      const due = tx
        .selectFrom('jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
            eb.and([eb('status', '=', 'active'), eb('lease_until', '<', now)]),
          ]),
        )
        .orderBy('priority')
        .orderBy('id')
        .limit(max);
      return tx
        .updateTable('jobs')
        .set((eb) => ({
          status: 'active',
          locked_by: token,
          lease_until: now + this.leaseMs,
          attempts_made: eb('attempts_made', '+', 1),
          started_at: now,
        }))
        .where('id', 'in', this.store.dialect === 'postgres' ? due.forUpdate().skipLocked() : due)
        .returning([
          'id',
          'name',
          'payload',
          'status',
          'attempts_made',
          'max_attempts',
          'backoff_ms',
          'timeout_ms',
          'locked_by',
        ])
        .execute();
    });
    return rows.map((r) => new Claimed(r as JobRow));
  }

  /** Extends a claim's lease; false when it is no longer ours. */
  async renew(job: Claimed): Promise<boolean> {
    const r = await this.store.db
      .updateTable('jobs')
      .set({ lease_until: Date.now() + this.leaseMs })
      .where('id', '=', job.rowId)
      .where('locked_by', '=', job.token)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Marks the job done together with its registered effects, or neither (LeaseLost). */
  async complete(job: Claimed, effects: readonly ((tx: Kysely<Database>) => Promise<void>)[]): Promise<void> {
    await writeTransaction(this.store, async (tx) => {
      const r = await this.fenced(tx, job)
        .set({
          status: 'completed',
          finished_at: Date.now(),
          locked_by: null,
          lease_until: null,
          last_error: null,
        })
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new LeaseLost(job.id);
      for (const effect of effects) await effect(tx);
    });
  }

  /** A failed attempt: again after a backoff while attempts remain, else failed for good. */
  async fail(job: Claimed, err: unknown): Promise<void> {
    const now = Date.now();
    const last = job.attempt >= job.maxAttempts;
    const r = await this.fenced(this.store.db, job)
      .set(
        last
          ? {
              status: 'failed',
              finished_at: now,
              locked_by: null,
              lease_until: null,
              last_error: errorText(err),
            }
          : {
              status: 'queued',
              run_at: now + backoffDelay(jobBackoff(job.backoffMs), job.attempt),
              locked_by: null,
              lease_until: null,
              last_error: errorText(err),
            },
      )
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new LeaseLost(job.id);
  }

  /** Hands the job back at once without using up its attempt (shutdown). */
  async release(job: Claimed): Promise<void> {
    await this.fenced(this.store.db, job)
      .set((eb) => ({
        status: 'queued',
        run_at: Date.now(),
        locked_by: null,
        lease_until: null,
        attempts_made: eb('attempts_made', '-', 1),
      }))
      .executeTakeFirst();
  }

  /** Deletes finished jobs past their retention, a bounded batch at a time. */
  async prune(): Promise<number> {
    const before = Date.now() - this.retentionMs;
    const r = await this.store.db
      .deleteFrom('jobs')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('jobs')
          .select('id')
          .where('status', 'in', ['completed', 'failed'])
          .where('finished_at', '<', before)
          .limit(1_000),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  private fenced(db: Kysely<Database>, job: Claimed) {
    return db
      .updateTable('jobs')
      .where('id', '=', job.rowId)
      .where('locked_by', '=', job.token)
      .where('status', '=', 'active');
  }
}

async function findByKey(tx: Kysely<Database>, key: string): Promise<EnqueueResult | undefined> {
  const row = await tx.selectFrom('jobs').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row ? { id: String(row.id), created: false } : undefined;
}

/** A job this worker holds, with its fencing token. */
export class Claimed implements QueuedJob {
  readonly rowId: number;
  readonly id: string;
  readonly name: string;
  readonly payload: JobPayload;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly backoffMs: number;
  readonly timeoutMs: number;
  readonly token: string;

  constructor(row: JobRow) {
    this.rowId = Number(row.id);
    this.id = String(row.id);
    this.name = row.name;
    this.payload = JSON.parse(row.payload) as JobPayload;
    this.attempt = row.attempts_made;
    this.maxAttempts = row.max_attempts;
    this.backoffMs = row.backoff_ms;
    this.timeoutMs = Number(row.timeout_ms);
    this.token = row.locked_by ?? '';
  }
}

interface Running {
  readonly job: Claimed;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

const PRUNE_EVERY_MS = 10 * 60_000;

class StoreQueueWorker implements QueueWorker {
  private readonly workerId = `w-${randomBytes(4).toString('hex')}`;
  private readonly active = new Map<string, Running>();
  private stopping = false;
  private wake: (() => void) | undefined;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly loopDone: Promise<void>;
  private lastPrune = 0;

  constructor(
    private readonly queue: StoreQueue,
    private readonly handler: JobHandler,
    private readonly options: WorkOptions,
  ) {
    this.unsubscribe = queue.onWake(() => this.wake?.());
    this.heartbeat = setInterval(() => void this.renewAll(), Math.max(50, Math.floor(queue.leaseMs / 3)));
    this.loopDone = this.loop();
  }

  get running(): number {
    return this.active.size;
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.unsubscribe();
      this.wake?.();
      const reason = new WorkerStopping();
      for (const r of this.active.values()) r.controller.abort(reason);
    }
    await this.loopDone;
    const all = Promise.allSettled([...this.active.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    // Jobs still running keep their claim until the lease runs out; then another worker takes them.
    clearInterval(this.heartbeat);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const free = this.options.concurrency - this.active.size;
      let claimed: Claimed[] = [];
      if (free > 0) {
        try {
          claimed = await this.queue.claim(free, this.workerId);
        } catch (err) {
          this.report(err);
        }
        for (const job of claimed) this.start(job);
      }
      if (claimed.length > 0 && claimed.length === free) continue;
      await this.idle();
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        await this.queue.prune().catch((err: unknown) => this.report(err));
      }
    }
  }

  /** Waits for a poll interval, an enqueue in this process, a finished job, or stop. */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.queue.pollMs);
      this.wake = done;
    });
  }

  private start(job: Claimed): void {
    const controller = new AbortController();
    if (this.stopping) {
      // Claimed while stopping: hand it straight back.
      void this.queue.release(job).catch((err: unknown) => this.report(err));
      return;
    }
    const done = this.execute(job, controller).finally(() => {
      this.active.delete(job.id);
      this.wake?.();
    });
    this.active.set(job.id, { job, controller, done });
  }

  private async execute(job: Claimed, controller: AbortController): Promise<void> {
    // A job whose last attempt died with its worker (lease ran out) is not run again.
    if (job.attempt > job.maxAttempts) {
      await this.queue
        .fail(job, new Error('the worker running its last attempt stopped (lease expired)'))
        .catch((err: unknown) => this.report(err));
      return;
    }
    const effects: ((tx: Kysely<Database>) => Promise<void>)[] = [];
    try {
      await runAttempt(this.handler, job, job.timeoutMs, controller.signal, (effect) => effects.push(effect));
    } catch (err) {
      try {
        if (err instanceof ReleaseJob) await this.queue.release(job);
        else await this.queue.fail(job, err);
      } catch (inner) {
        this.report(inner);
      }
      return;
    }
    await this.queue.complete(job, effects).catch((err: unknown) => this.report(err));
  }

  private async renewAll(): Promise<void> {
    for (const r of [...this.active.values()]) {
      try {
        if (!(await this.queue.renew(r.job))) r.controller.abort(new LeaseLost(r.job.id));
      } catch (err) {
        this.report(err);
      }
    }
  }

  private report(err: unknown): void {
    this.options.onError(err);
  }
}
