import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../test/paths.js';
import { TEST_REDIS_URL } from '../../test/queue-targets.js';
import { redisTestGate } from '../../test/redis-test-gate.js';
import { storeTargets } from '../../test/store-targets.js';
import { until } from '../../test/until.js';
import { BullmqQueue } from './bullmq-queue.js';
import type { Queue } from './queue.js';
import { StoreQueue } from './store-queue.js';

/**
 * Acceptance: 1,000 idempotency-keyed jobs, each enqueued twice, worked by real worker processes
 * (test/fixtures/queue-kill-worker.mjs on the built queues) that are killed with SIGKILL at random
 * moments and restarted. Every job's side effect must exist exactly once — on the store queue
 * (SQLite and PostgreSQL; the effect commits with the completion, fenced by the lease) and on BullMQ
 * (the effect keyed by the job).
 */
const JOBS = 1_000;
const WORKERS = 3;
const KILLS = 6;
const LEASE_MS = 1_000;
const WORKER = path.join(repoRoot, 'test', 'fixtures', 'queue-kill-worker.mjs');
const built = existsSync(path.join(repoRoot, 'dist', 'server', 'jobs', 'store-queue.js'));

interface Setup {
  readonly queue: Queue;
  readonly env: Record<string, unknown>;
  effects(): Promise<{ keys: number; rows: number; executions: number }>;
  dispose(): Promise<void>;
}

const setups: { name: string; open: () => Promise<Setup> }[] = (
  await storeTargets('the queue kill test on PostgreSQL')
).map((target) => ({
  name: `store queue on ${target.name}`,
  open: async () => {
    const { store, config, dispose } = await target.open();
    await sql`create table test_effects (job_key text not null, pid integer not null)`.execute(store.db);
    await sql`create table test_executions (job_key text not null)`.execute(store.db);
    return {
      queue: new StoreQueue(store, { leaseMs: LEASE_MS }),
      env:
        config.kind === 'postgres'
          ? { kind: 'store', storeUrl: config.url }
          : { kind: 'store', storeFile: config.file },
      effects: async () => {
        const count = async (q: ReturnType<typeof sql<{ n: number }>>) =>
          Number((await q.execute(store.db)).rows[0]?.n);
        return {
          keys: await count(sql<{ n: number }>`select count(distinct job_key) as n from test_effects`),
          rows: await count(sql<{ n: number }>`select count(*) as n from test_effects`),
          executions: await count(sql<{ n: number }>`select count(*) as n from test_executions`),
        };
      },
      dispose,
    };
  },
}));
const redis = await redisTestGate(TEST_REDIS_URL, process.env.CI === 'true', 'the queue kill test on BullMQ');
if (!redis.run && redis.fail)
  test('Redis is reachable (required under CI=true)', () => {
    throw new Error(redis.reason);
  });
if (redis.run)
  setups.push({
    name: 'BullMQ on Redis',
    open: async () => {
      const prefix = `trellis-kill-${randomBytes(4).toString('hex')}`;
      const effectsFile = path.join(mkdtempSync(path.join(tmpdir(), 'trellis-kill-')), 'effects.sqlite');
      const db = new SQLite(effectsFile);
      db.pragma('journal_mode = WAL');
      db.exec(`create table test_effects (job_key text primary key, pid integer not null);
               create table test_executions (job_key text not null)`);
      const queue = new BullmqQueue({ url: TEST_REDIS_URL, prefix, lockMs: LEASE_MS });
      return {
        queue,
        env: { kind: 'redis', redisUrl: TEST_REDIS_URL, prefix, effectsFile },
        effects: async () => {
          const one = (q: string) => (db.prepare(q).get() as { n: number }).n;
          return {
            keys: one('select count(distinct job_key) as n from test_effects'),
            rows: one('select count(*) as n from test_effects'),
            executions: one('select count(*) as n from test_executions'),
          };
        },
        dispose: async () => {
          await queue.obliterate();
          await queue.close();
          db.close();
        },
      };
    },
  });

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function spawnWorker(env: Record<string, unknown>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, KILL_TEST: JSON.stringify({ ...env, leaseMs: LEASE_MS }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('exit', (code, signal) => reject(new Error(`worker exited early (${code ?? signal})`)));
  });
}

describe.skipIf(!built).each(setups)('exactly-once effects with killed workers: $name', ({ open }) => {
  test(`${JOBS} jobs enqueued twice, ${WORKERS} workers killed ${KILLS} times at random → each effect once`, async () => {
    const setup = await open();
    try {
      const started = Date.now();
      const enqueued = [];
      for (let round = 0; round < 2; round++)
        for (let i = 0; i < JOBS; i += 100)
          enqueued.push(
            ...(await Promise.all(
              Array.from({ length: 100 }, (_, j) =>
                setup.queue.enqueue(
                  'effect',
                  { key: `job-${i + j}` },
                  { idempotencyKey: `job-${i + j}`, attempts: 20 },
                ),
              ),
            )),
          );
      expect(enqueued.filter((e) => e.created)).toHaveLength(JOBS);
      expect(new Set(enqueued.map((e) => e.id)).size).toBe(JOBS);

      const live: ChildProcess[] = await Promise.all(
        Array.from({ length: WORKERS }, () => spawnWorker(setup.env)),
      );
      let kills = 0;
      while (kills < KILLS) {
        await new Promise((r) => setTimeout(r, 150 + Math.random() * 450));
        const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0];
        victim?.kill('SIGKILL');
        kills++;
        live.push(await spawnWorker(setup.env));
      }
      await until(async () => (await setup.queue.counts()).completed === JOBS, 80_000, `${JOBS} completions`);
      const effects = await setup.effects();
      for (const c of live) c.kill('SIGKILL');
      console.log(
        `kill test: ${JOBS} jobs, ${kills} SIGKILLs, ${effects.executions} executions, ${effects.rows} effects, ${Date.now() - started} ms`,
      );
      expect(effects).toMatchObject({ keys: JOBS, rows: JOBS });
      expect((await setup.queue.counts()).failed).toBe(0);
    } finally {
      await setup.dispose();
    }
  }, 150_000);
});

if (!built)
  test('the kill test needs the built server (npm run build)', () => {
    throw new Error('dist/server is missing: run `npm run build` (npm test does it)');
  });
