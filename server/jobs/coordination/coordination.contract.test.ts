import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeTargets } from '../../../test/store-targets.js';
import type { LockSpec, RateLimitSpec } from '../../config/project/pipeline.types.js';
import { TrellisError } from '../../errors.js';
import { openStore, type Store } from '../../store/store.js';
import { StoreResourceLocks } from './resource-locks.js';
import { StoreRateLimiter } from './shared-rate-limiter.js';

/**
 * Named rate limits and resource locks on every metadata-store dialect. Each "instance" is a second
 * connection to the same store (its own pool, as another process would have), so what is shared is
 * only what the database shares.
 */
const targets = await storeTargets('enrichment coordination (rate limits, locks) on PostgreSQL');

describe.each(targets)('coordination on $name', (target) => {
  let first: Store;
  let second: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const opened = await target.open();
    first = opened.store;
    dispose = opened.dispose;
    second = await openStore(opened.config);
  });
  afterAll(async () => {
    await second?.close();
    await dispose?.();
  });

  test('a rate limit is shared by two instances: together they never take more than it allows', async () => {
    const limit: RateLimitSpec = { name: `rl-${Math.random()}`, calls: 20, perMs: 400, burst: 1 };
    const taken: number[] = [];
    const signal = new AbortController().signal;
    const instance = (store: Store) => {
      const limiter = new StoreRateLimiter(store);
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

  test('a lock has one holder across instances; the others wait in line, their position shown', async () => {
    const spec: LockSpec = { name: `lock-${Math.random()}`, wait: 'queue', ttlMs: 3_000, maxWaitMs: 30_000 };
    const locks = [new StoreResourceLocks(first), new StoreResourceLocks(second)];
    let holders = 0;
    let maxHolders = 0;
    const positions: number[] = [];
    const signal = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const held = await (locks[i % 2] as StoreResourceLocks).acquire(spec, `run-${i}`, signal, (p) =>
          positions.push(p),
        );
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
  });

  test('fail fast when declared; a dead holder’s lock is free after its TTL', async () => {
    const spec: LockSpec = { name: `lock-${Math.random()}`, wait: 'fail', ttlMs: 1_000, maxWaitMs: 5_000 };
    const signal = new AbortController().signal;
    const a = new StoreResourceLocks(first);
    const b = new StoreResourceLocks(second);
    const held = await a.acquire(spec, 'run-a', signal, () => undefined);
    const refused = await b.acquire(spec, 'run-b', signal, () => undefined).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TrellisError);
    expect((refused as TrellisError).code).toBe('PIPELINE_LOCK_BUSY');

    // "Kill" the holder: its renewals stop (a clock 1 h ahead makes its row look expired to others).
    const later = new StoreResourceLocks(second, () => Date.now() + 3_600_000);
    await held.release(); // released normally here; now a holder that never renews:
    const dead = await new StoreResourceLocks(first, () => Date.now() - 10_000).acquire(
      spec,
      'run-dead',
      signal,
      () => undefined,
    );
    void dead; // never released, never renewed in time (its expiry is 9 s in the past)
    const next = await later.acquire(spec, 'run-c', signal, () => undefined);
    await next.release();
    const again = await b.acquire(spec, 'run-d', signal, () => undefined);
    await again.release();
  });
});
