import { randomUUID } from 'node:crypto';
import type { LockSpec } from '../../config/project/pipeline.types.js';
import { TrellisError } from '../../errors.js';
import { sleep } from '../../resilience/sleep.js';
import type { Store } from '../../store/store.js';

/**
 * Named resource locks (docs/pipelines.md#locks), for a resource that must have one user at a time
 * (an external agent whose runs overwrite each other's results). At most one holder across runs and
 * instances: the holder is the row of `resource_locks` keyed by the name, which the database itself
 * refuses to hold twice. The holder renews it every third of its TTL; a holder that dies (kill -9,
 * lost host) stops renewing and the lock is free once its TTL has passed. Runs that wait line up in
 * `resource_lock_waiters` (first come, first served), so each can show its position.
 */
export interface HeldLock {
  /** Aborts if the lock was lost (not renewed in time — the process stalled past the TTL). */
  readonly lost: AbortSignal;
  /** Redis locks: the fencing token, larger for every new holder (a resource can refuse older ones). */
  readonly fence?: number;
  release(): Promise<void>;
}

export interface ResourceLocks {
  /**
   * Takes the lock, waiting in line (`onWait` with the position: 1 = next) or failing at once with
   * PIPELINE_LOCK_BUSY, as the spec says. Rejects with the signal's reason when aborted while waiting.
   */
  acquire(
    spec: LockSpec,
    runId: string,
    signal: AbortSignal,
    onWait: (position: number) => void,
  ): Promise<HeldLock>;
}

export class StoreResourceLocks implements ResourceLocks {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(
    spec: LockSpec,
    runId: string,
    signal: AbortSignal,
    onWait: (position: number) => void,
  ): Promise<HeldLock> {
    const holder = randomUUID();
    const { db } = this.store;
    const started = this.now();
    const poll = Math.max(50, Math.min(500, Math.floor(spec.ttlMs / 3)));
    let enqueuedAt: number | null = null;
    let lastPosition = -1;
    try {
      for (;;) {
        signal.throwIfAborted();
        const now = this.now();
        await db
          .deleteFrom('resource_locks')
          .where('name', '=', spec.name)
          .where('expires_at', '<', now)
          .execute();
        await db
          .deleteFrom('resource_lock_waiters')
          .where('name', '=', spec.name)
          .where('expires_at', '<', now)
          .execute();
        const ahead = await this.waitersAhead(spec.name, holder, enqueuedAt);
        if (ahead === 0 && (await this.tryHold(spec, holder, runId, now))) {
          if (enqueuedAt !== null)
            await db
              .deleteFrom('resource_lock_waiters')
              .where('name', '=', spec.name)
              .where('holder', '=', holder)
              .execute();
          return this.held(spec, holder);
        }
        if (spec.wait === 'fail')
          throw new TrellisError('PIPELINE_LOCK_BUSY', {
            message: `The lock "${spec.name}" is held by another run.`,
            detail: { lock: spec.name },
          });
        if (now - started > spec.maxWaitMs)
          throw new TrellisError('PIPELINE_LOCK_BUSY', {
            message: `Waited longer than ${Math.round(spec.maxWaitMs / 1000)} s for the lock "${spec.name}".`,
            detail: { lock: spec.name },
          });
        if (enqueuedAt === null) {
          enqueuedAt = now;
          await db
            .insertInto('resource_lock_waiters')
            .values({ name: spec.name, holder, enqueued_at: now, expires_at: now + spec.ttlMs })
            .execute();
        } else
          await db
            .updateTable('resource_lock_waiters')
            .set({ expires_at: now + spec.ttlMs })
            .where('name', '=', spec.name)
            .where('holder', '=', holder)
            .execute();
        // Position 1 = next after the current holder.
        const position = (await this.waitersAhead(spec.name, holder, enqueuedAt)) + 1;
        if (position !== lastPosition) onWait(position);
        lastPosition = position;
        await sleep(poll, signal);
      }
    } catch (err) {
      if (enqueuedAt !== null)
        await db
          .deleteFrom('resource_lock_waiters')
          .where('name', '=', spec.name)
          .where('holder', '=', holder)
          .execute();
      throw err;
    }
  }

  /** Live waiters before us in line (all of them while we are not in line yet). */
  private async waitersAhead(name: string, holder: string, enqueuedAt: number | null): Promise<number> {
    let q = this.store.db
      .selectFrom('resource_lock_waiters')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', '=', name)
      .where('holder', '!=', holder);
    if (enqueuedAt !== null)
      q = q.where((eb) =>
        eb.or([
          eb('enqueued_at', '<', enqueuedAt),
          eb.and([eb('enqueued_at', '=', enqueuedAt), eb('holder', '<', holder)]),
        ]),
      );
    const row = await q.executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  private async tryHold(spec: LockSpec, holder: string, runId: string, now: number): Promise<boolean> {
    await this.store.db
      .insertInto('resource_locks')
      .values({ name: spec.name, holder, run_id: runId, acquired_at: now, expires_at: now + spec.ttlMs })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.store.db
      .selectFrom('resource_locks')
      .select('holder')
      .where('name', '=', spec.name)
      .executeTakeFirst();
    return row?.holder === holder;
  }

  private held(spec: LockSpec, holder: string): HeldLock {
    const lost = new AbortController();
    const { db } = this.store;
    let renewing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(
      () => {
        renewing = db
          .updateTable('resource_locks')
          .set({ expires_at: this.now() + spec.ttlMs })
          .where('name', '=', spec.name)
          .where('holder', '=', holder)
          .executeTakeFirst()
          .then((r) => {
            if (Number(r.numUpdatedRows) === 0) lost.abort(lockLost(spec));
          })
          // A store that does not answer cannot renew: after the TTL another run may hold the lock.
          .catch((err: unknown) => lost.abort(lockLost(spec, err)));
      },
      Math.max(100, Math.floor(spec.ttlMs / 3)),
    );
    timer.unref();
    return {
      lost: lost.signal,
      release: async () => {
        clearInterval(timer);
        await renewing;
        await db
          .deleteFrom('resource_locks')
          .where('name', '=', spec.name)
          .where('holder', '=', holder)
          .execute();
      },
    };
  }
}

/** The run's stop reason when its lock was not renewed in time (store and Redis locks alike). */
export function lockLost(spec: LockSpec, cause?: unknown): TrellisError {
  return new TrellisError('PIPELINE_FAILED', {
    message: `The lock "${spec.name}" was lost (not renewed within its ${Math.round(spec.ttlMs / 1000)} s TTL); the run stopped.`,
    detail: { lock: spec.name },
    ...(cause === undefined ? {} : { cause }),
  });
}
