import { backoffDelay } from '../resilience/backoff.js';
import { sql } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import { queueTargets, type OpenedQueue } from '../../test/queue-targets.js';
import { until } from '../../test/until.js';
import { TrellisError } from '../errors.js';
import {
  jobBackoff,
  JobTimedOut,
  ReleaseJob,
  WorkerStopping,
  type JobHandler,
  type Queue,
  type QueuedJob,
  type QueueWorker,
} from './queue.js';

const targets = await queueTargets('the queue contract suite');

/** Errors workers report; lost leases are expected where a test stops a worker mid-job. */
const reported: unknown[] = [];
const quiet = (err: unknown) => {
  if (!(err instanceof Error && err.name === 'LeaseLost')) reported.push(err);
};

describe.each(targets)('queue contract: $name', (target) => {
  let opened: OpenedQueue;
  const workers: QueueWorker[] = [];
  const open = async (...args: Parameters<typeof target.open>) => (opened = await target.open(...args));
  const work = (queue: Queue, handler: JobHandler, concurrency = 2) => {
    const w = queue.work(handler, { concurrency, onError: quiet });
    workers.push(w);
    return w;
  };
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop(0);
    await opened?.dispose();
    expect(reported.splice(0)).toEqual([]);
  });

  test('a job runs once with its payload; its state ends completed', async () => {
    const { queue } = await open();
    const seen: QueuedJob[] = [];
    const { id, created } = await queue.enqueue('say-hello', { runId: 'r1', n: 3 });
    expect(created).toBe(true);
    work(queue, async (job) => void seen.push(job));
    await until(async () => (await queue.getJob(id))?.status === 'completed', 15_000, 'completion');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id, name: 'say-hello', payload: { runId: 'r1', n: 3 }, attempt: 1 });
    expect(await queue.counts()).toMatchObject({ queued: 0, active: 0, completed: 1, failed: 0 });
  });

  test('the same idempotency key enqueued twice (also at once, from two instances) is one job, run once', async () => {
    const { queue } = await open();
    const other = await opened.another();
    const first = await queue.enqueue(
      'keyed',
      { k: 1 },
      { idempotencyKey: 'schedule:ctgov:2026-01-01T00:00' },
    );
    const again = await other.enqueue(
      'keyed',
      { k: 2 },
      { idempotencyKey: 'schedule:ctgov:2026-01-01T00:00' },
    );
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    const racing = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? queue : other).enqueue('keyed', { i }, { idempotencyKey: 'race' }),
      ),
    );
    expect(new Set(racing.map((r) => r.id)).size).toBe(1);
    const runs: unknown[] = [];
    work(queue, async (job) => void runs.push(job.payload));
    work(other, async (job) => void runs.push(job.payload));
    await until(async () => (await queue.counts()).completed === 2, 15_000, 'two completions');
    expect(runs).toHaveLength(2);
    expect(runs).toContainEqual({ k: 1 });
  });

  test('lower priority numbers run first', async () => {
    const { queue } = await open();
    await queue.enqueue('p', { name: 'late' }, { priority: 500 });
    await queue.enqueue('p', { name: 'normal' });
    await queue.enqueue('p', { name: 'urgent' }, { priority: 1 });
    const order: unknown[] = [];
    work(queue, async (job) => void order.push(job.payload.name), 1);
    await until(() => order.length === 3);
    expect(order).toEqual(['urgent', 'normal', 'late']);
  });

  test('a failing job is tried `attempts` times, then fails with its last error', async () => {
    const { queue } = await open();
    const { id } = await queue.enqueue('flaky', {}, { attempts: 3, backoffMs: 10 });
    const attempts: number[] = [];
    work(queue, async (job) => {
      attempts.push(job.attempt);
      throw new Error(`boom ${job.attempt}`);
    });
    await until(async () => (await queue.getJob(id))?.status === 'failed', 20_000, 'failure');
    expect(attempts).toEqual([1, 2, 3]);
    const state = await queue.getJob(id);
    expect(state?.attemptsMade).toBe(3);
    expect(state?.lastError).toContain('boom 3');
  });

  test('a job that succeeds on a retry completes', async () => {
    const { queue } = await open();
    const { id } = await queue.enqueue('flaky', {}, { attempts: 4, backoffMs: 10 });
    work(queue, async (job) => {
      if (job.attempt < 3) throw new Error('not yet');
    });
    await until(async () => (await queue.getJob(id))?.status === 'completed', 20_000, 'completion');
    expect((await queue.getJob(id))?.attemptsMade).toBeGreaterThanOrEqual(2);
  });

  test('an attempt past its timeout is aborted and fails with JOB_TIMEOUT', async () => {
    const { queue } = await open();
    const { id } = await queue.enqueue('slow', {}, { attempts: 1, timeoutMs: 150 });
    let reason: unknown;
    work(queue, (_job, { signal }) => {
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          reason = signal.reason;
          reject(signal.reason as Error);
        }),
      );
    });
    await until(async () => (await queue.getJob(id))?.status === 'failed', 15_000, 'failure');
    expect(reason).toBeInstanceOf(JobTimedOut);
    expect((await queue.getJob(id))?.lastError).toContain('JOB_TIMEOUT');
  });

  test('bounded: QUEUE_FULL beyond maxQueued waiting jobs; oversized payloads and bad options are refused', async () => {
    const { queue } = await open({ maxQueued: 3, maxPayloadBytes: 100 });
    for (let i = 0; i < 3; i++) await queue.enqueue('fill', { i });
    const err = await queue.enqueue('fill', { i: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrellisError);
    expect((err as TrellisError).code).toBe('QUEUE_FULL');
    // The same key as a waiting job is no new job, so it is not refused.
    await expect(queue.enqueue('fill', { i: 0 }, { idempotencyKey: 'x' })).rejects.toThrow(
      /QUEUE_FULL|Too many/,
    );
    await expect(queue.enqueue('big', { blob: 'x'.repeat(200) })).rejects.toThrow(/payload is \d+ bytes/);
    await expect(queue.enqueue('Bad Name', {})).rejects.toThrow(/invalid job name/);
    await expect(queue.enqueue('ok', {}, { priority: 0 })).rejects.toThrow(/priority/);
    await expect(queue.enqueue('ok', {}, { idempotencyKey: 'k'.repeat(201) })).rejects.toThrow(
      /idempotency key/,
    );
  });

  test('stopping a worker aborts running jobs (WorkerStopping); a released job goes back without using an attempt', async () => {
    const { queue } = await open();
    const { id } = await queue.enqueue('long', {}, { attempts: 1 });
    let started = false;
    let reason: unknown;
    const first = work(queue, (_job, { signal }) => {
      started = true;
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          reason = signal.reason;
          reject(new ReleaseJob('shutdown'));
        }),
      );
    });
    await until(() => started, 15_000, 'start');
    await first.stop(5_000);
    expect(reason).toBeInstanceOf(WorkerStopping);
    expect(first.running).toBe(0);
    const attempts: number[] = [];
    work(queue, async (job) => void attempts.push(job.attempt));
    await until(async () => (await queue.getJob(id))?.status === 'completed', 15_000, 'completion');
    // attempts: 1 and it still ran to completion: the release did not use the only attempt.
    expect(attempts).toEqual([1]);
  });

  test('a job whose worker stops answering (no heartbeat) is taken again by another worker', async () => {
    const { queue } = await open();
    const other = await opened.another();
    const { id } = await queue.enqueue('orphan', {}, { attempts: 3 });
    let hung = false;
    const dead = work(queue, () => {
      hung = true;
      return new Promise<void>(() => {}); // never settles, ignores its signal
    });
    await until(() => hung, 15_000, 'start');
    await dead.stop(0); // heartbeats end here, like a killed process
    const attempts: number[] = [];
    work(other, async (job) => void attempts.push(job.attempt));
    await until(async () => (await other.getJob(id))?.status === 'completed', 20_000, 'takeover');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toBeGreaterThanOrEqual(2);
  });

  test('many jobs, two workers: each job runs exactly once', async () => {
    const { queue } = await open();
    const other = await opened.another();
    const ids = await Promise.all(Array.from({ length: 60 }, (_, i) => queue.enqueue('bulk', { i })));
    expect(new Set(ids.map((r) => r.id)).size).toBe(60);
    const seen = new Map<number, number>();
    const handler: JobHandler = async (job) => {
      const i = Number(job.payload.i);
      seen.set(i, (seen.get(i) ?? 0) + 1);
    };
    work(queue, handler, 4);
    work(other, handler, 4);
    await until(async () => (await queue.counts()).completed === 60, 30_000, '60 completions');
    expect(seen.size).toBe(60);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  test('store queue only: an effect registered with completeWith commits with the completion, or not at all', async () => {
    const { queue, store } = await open();
    if (!store) {
      expect(queue.kind).toBe('redis'); // BullMQ has no transaction to share; effects use their own keys
      return;
    }
    await sql`create table test_effects (job text not null, attempt integer not null)`.execute(store.db);
    const a = await queue.enqueue('effect', { fail: false });
    const b = await queue.enqueue('effect', { fail: true }, { attempts: 1 });
    work(queue, async (job, ctx) => {
      ctx.completeWith?.(async (tx) => {
        await sql`insert into test_effects (job, attempt) values (${job.id}, ${job.attempt})`.execute(tx);
      });
      if (job.payload.fail) throw new Error('failed after registering');
    });
    await until(async () => (await queue.counts()).completed + (await queue.counts()).failed === 2);
    const rows = await sql<{ job: string }>`select job from test_effects`.execute(store.db);
    expect(rows.rows.map((r) => r.job)).toEqual([a.id]);
    expect((await queue.getJob(b.id))?.status).toBe('failed');
  });
});

test('backoff: about base·2^(n−1) with jitter, between half and all of it, capped at an hour', () => {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const full = 100 * 2 ** (attempt - 1);
    expect(backoffDelay(jobBackoff(100), attempt, () => 0)).toBe(full / 2);
    expect(backoffDelay(jobBackoff(100), attempt, () => 1)).toBe(full);
    const mid = backoffDelay(jobBackoff(100), attempt, () => 0.5);
    expect(mid).toBeGreaterThan(full / 2);
    expect(mid).toBeLessThan(full);
  }
  expect(backoffDelay(jobBackoff(1_000), 40, () => 1)).toBe(3_600_000);
});
