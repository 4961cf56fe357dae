import { setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_TEST_REDIS_URL, redisTestGate } from '../../../test/redis-test-gate.js';
import { storeTargets } from '../../../test/store-targets.js';
import type { LockSpec, RateLimitSpec } from '../../config/project/pipeline.types.js';
import { TrellisError } from '../../errors.js';
import { openStore } from '../../store/store.js';
import { openRedisCoordination } from './redis-coordination.js';
import { StoreResourceLocks, type ResourceLocks } from './resource-locks.js';
import { StoreRateLimiter, type SharedRateLimiter } from './shared-rate-limiter.js';

/**
 * Named rate limits and resource locks on every backend: each metadata-store dialect and Redis. Each
 * "instance" is its own connection (its own pool or client, as another process would have), so what
 * is shared is only what the database or Redis shares.
 */
interface Instance {
  readonly limiter: SharedRateLimiter;
  readonly locks: ResourceLocks;
  close(): Promise<void>;
}
interface Backend {
  readonly name: string;
  /** Opens the backend once; `instance()` then connects one more instance to it. */
  open(): Promise<{ instance(): Promise<Instance>; dispose(): Promise<void> }>;
}

const stores = await storeTargets('enrichment coordination (rate limits, locks) on PostgreSQL');
const redisUrl = process.env['TRELLIS_TEST_REDIS_URL'] ?? DEFAULT_TEST_REDIS_URL;
const redisGate = await redisTestGate(
  redisUrl,
  process.env['CI'] === 'true',
  'enrichment coordination (rate limits, locks) on Redis',
);
if (!redisGate.run && redisGate.fail) throw new Error(redisGate.reason);

const backends: Backend[] = [
  ...stores.map((target): Backend => ({
    name: target.name,
    async open() {
      const opened = await target.open();
      return {
        async instance() {
          const store = await openStore(opened.config);
          return {
            limiter: new StoreRateLimiter(store),
            locks: new StoreResourceLocks(store),
            close: () => store.close(),
          };
        },
        dispose: opened.dispose,
      };
    },
  })),
  ...(redisGate.run
    ? [
        {
          name: 'redis',
          open: async () => ({
            instance: async () => openRedisCoordination(redisUrl),
            dispose: async () => {},
          }),
        } satisfies Backend,
      ]
    : []),
];

describe.each(backends)('coordination on $name', (backend) => {
  let first: Instance;
  let second: Instance;
  let connect: () => Promise<Instance>;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    connect = opened.instance;
    dispose = opened.dispose;
    first = await connect();
    second = await connect();
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await dispose?.();
  });

  test('a rate limit is shared by two instances: together they never take more than it allows', async () => {
    const limit: RateLimitSpec = { name: `rl-${Math.random()}`, calls: 20, perMs: 400, burst: 1 };
    const taken: number[] = [];
    const signal = new AbortController().signal;
    const instance = ({ limiter }: Instance) => {
      return Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 5; i++) {
            await limiter.take(limit, signal);
            taken.push(Date.now());
          }
        }),
      );
    };
    await Promise.all([instance(first), instance(second)]);
    expect(taken).toHaveLength(40);
    // 20 per 400 ms with a burst of 1: at most 1 + 20 in any 400 ms (the bound of a token bucket).
    taken.sort((a, b) => a - b);
    for (const [i, t] of taken.entries()) {
      const inWindow = taken.filter((u) => u >= t && u < t + 400).length;
      expect(inWindow, `window starting at take ${i}`).toBeLessThanOrEqual(21);
    }
    // And it did not simply serialise everything: 40 takes at 50/s need about 0.8 s, not much more.
    expect((taken.at(-1) as number) - (taken[0] as number)).toBeGreaterThanOrEqual(700);
  });

  test('callers waiting together are served in blocks, never beyond the bucket; one that gives up leaves the line', async () => {
    // A full bucket of 10 whose refill takes minutes: 2 instances × 8 callers at once want 16 tokens.
    const limit: RateLimitSpec = { name: `rl-${Math.random()}`, calls: 1, perMs: 600_000, burst: 10 };
    const stop = new AbortController();
    setMaxListeners(100, stop.signal); // one abort listener per waiting caller
    let granted = 0;
    const outcomes = Promise.allSettled(
      [first, second].flatMap(({ limiter }) =>
        Array.from({ length: 8 }, () => limiter.take(limit, stop.signal).then(() => void granted++)),
      ),
    );
    await expect.poll(() => granted).toBe(10);
    // The others keep waiting (the next token is minutes away), however often their loops ask.
    await new Promise((r) => setTimeout(r, 300));
    expect(granted).toBe(10);
    stop.abort(new Error('gave up'));
    const settled = await outcomes;
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(refused).toHaveLength(6);
    for (const r of refused) expect((r.reason as Error).message).toBe('gave up');
  });

  test('a lock has one holder across instances; the others wait in line, their position shown', async () => {
    const spec: LockSpec = { name: `lock-${Math.random()}`, wait: 'queue', ttlMs: 3_000, maxWaitMs: 30_000 };
    const locks = [first.locks, second.locks];
    let holders = 0;
    let maxHolders = 0;
    const positions: number[] = [];
    const fences: number[] = [];
    const signal = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const held = await (locks[i % 2] as ResourceLocks).acquire(spec, `run-${i}`, signal, (p) =>
          positions.push(p),
        );
        if (held.fence !== undefined) fences.push(held.fence);
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        await new Promise((r) => setTimeout(r, 30));
        holders--;
        await held.release();
      }),
    );
    expect(maxHolders).toBe(1);
    expect(positions.length).toBeGreaterThan(0);
    expect(Math.max(...positions)).toBeGreaterThanOrEqual(2);
    // Redis hands each holder a larger fencing token than the one before.
    if (backend.name === 'redis') {
      expect(fences).toHaveLength(6);
      for (let n = 1; n < fences.length; n++)
        expect(fences[n] as number).toBeGreaterThan(fences[n - 1] as number);
    }
  });

  test('fail fast when declared; a dead holder’s lock is free after its TTL, not before', async () => {
    const spec: LockSpec = { name: `lock-${Math.random()}`, wait: 'fail', ttlMs: 1_000, maxWaitMs: 5_000 };
    const signal = new AbortController().signal;
    const held = await first.locks.acquire(spec, 'run-a', signal, () => undefined);
    const refused = await second.locks
      .acquire(spec, 'run-b', signal, () => undefined)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TrellisError);
    expect((refused as TrellisError).code).toBe('PIPELINE_LOCK_BUSY');
    await held.release();

    // A holder whose connection dies (as its process would) stops renewing and never releases.
    const doomed = await connect();
    const dead = await doomed.locks.acquire(spec, 'run-dead', signal, () => undefined);
    const diedAt = Date.now();
    await doomed.close();
    const waiting = { ...spec, wait: 'queue' as const };
    const next = await second.locks.acquire(waiting, 'run-c', signal, () => undefined);
    const freeAfter = Date.now() - diedAt;
    expect(freeAfter).toBeGreaterThanOrEqual(1_000 - 1_000 / 3 - 50);
    expect(freeAfter).toBeLessThan(4_000);
    await expect.poll(() => dead.lost.aborted, { timeout: 3_000 }).toBe(true);
    await next.release();
    const again = await first.locks.acquire(spec, 'run-d', signal, () => undefined);
    await again.release();
  });
});
