import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeTargets } from '../../test/store-targets.js';
import { TrellisError } from '../errors.js';
import { openStore, type Store } from '../store/store.js';
import type { PipelineRunner } from './pipeline-contract.js';
import { RunsService, STALE_RUN_MS } from './runs.service.js';
import { StoreQueue } from './store-queue.js';
import { tenantId } from '../query/plan.js';

const targets = await storeTargets('the runs service on a PostgreSQL store');

/** Pipelines are listed only: these tests start and cancel runs, no worker runs them. */
const PIPELINES: PipelineRunner = {
  list: () => [
    { id: 'p1', title: 'P1', type: 'http', organisation: 'acme', schedule: null, datasets: [] },
    { id: 'p2', title: 'P2', type: 'http', organisation: 'acme', schedule: null, datasets: [] },
  ],
  run: () => Promise.reject(new Error('not run in this test')),
};

describe.each(targets)('runs service on $name: the per-pipeline mutex', (target) => {
  let a: RunsService;
  let b: RunsService;
  let second: Store | undefined;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const opened = await target.open();
    dispose = opened.dispose;
    // Two instances: on PostgreSQL each with its own pool, so the starts truly race in the database.
    second = target.name === 'postgres' ? await openStore(opened.config) : undefined;
    const other = second ?? opened.store;
    a = new RunsService({ store: opened.store, queue: new StoreQueue(opened.store), pipelines: PIPELINES });
    b = new RunsService({ store: other, queue: new StoreQueue(other), pipelines: PIPELINES });
  });
  afterAll(async () => {
    await second?.close();
    await dispose?.();
  });

  const start = (s: RunsService, pipeline: string, queueIfRunning = false) =>
    s.start(tenantId('acme'), pipeline, { trigger: 'manual', requestedBy: null, queueIfRunning }, null).then(
      (run) => ({ ok: true as const, run }),
      (err: unknown) => ({ ok: false as const, code: err instanceof TrellisError ? err.code : String(err) }),
    );

  test('twenty simultaneous starts from two instances: one run, nineteen PIPELINE_ALREADY_RUNNING', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => start(i % 2 ? a : b, 'p1')));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.code))).toEqual(
      Array(19).fill('PIPELINE_ALREADY_RUNNING'),
    );
  });

  test('queueIfRunning at once from both: all queued behind one head; cancelling the head hands it on, in order', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => start(i % 2 ? a : b, 'p2', true)));
    const runs = results.map((r) => (r.ok ? r.run : undefined)).filter((r) => r !== undefined);
    expect(runs).toHaveLength(6);
    const holders = async () =>
      a.store.db.selectFrom('pipeline_runs').select('id').where('lock_key', '=', 'p2').execute();
    expect(await holders()).toHaveLength(1);
    // Cancel the holder five times over: each time exactly one waiting run takes the mutex.
    for (let i = 0; i < 5; i++) {
      const [holder] = await holders();
      await (i % 2 ? a : b).cancel(tenantId('acme'), holder?.id ?? '', null);
      const next = await holders();
      expect(next).toHaveLength(1);
      expect(next[0]?.id).not.toBe(holder?.id);
    }
    const states = await a.store.db
      .selectFrom('pipeline_runs')
      .select(['status'])
      .where('pipeline_id', '=', 'p2')
      .execute();
    expect(states.filter((s) => s.status === 'cancelled')).toHaveLength(5);
    expect(states.filter((s) => s.status === 'queued')).toHaveLength(1);
    // Every head got a job to run it (idempotent by run).
    const jobs = await a.store.db
      .selectFrom('jobs')
      .select('idempotency_key')
      .where('name', '=', 'run-pipeline')
      .execute();
    expect(jobs.length).toBeGreaterThanOrEqual(6);
  });

  test('reconcile: a running run nobody touched for 15 minutes fails and frees its pipeline', async () => {
    const r = await start(a, 'p1', true);
    const holder = await a.store.db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('lock_key', '=', 'p1')
      .executeTakeFirstOrThrow();
    await a.store.db
      .updateTable('pipeline_runs')
      .set({ status: 'running', updated_at: Date.now() - STALE_RUN_MS - 1_000 })
      .where('id', '=', holder.id)
      .execute();
    await a.reconcile();
    const failed = await a.get(tenantId('acme'), holder.id);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'PIPELINE_FAILED' } });
    // The run queued behind it took the pipeline.
    const next = await a.store.db
      .selectFrom('pipeline_runs')
      .select('id')
      .where('lock_key', '=', 'p1')
      .executeTakeFirst();
    expect(next?.id).toBe(r.ok ? r.run.id : 'none');
  });
});
