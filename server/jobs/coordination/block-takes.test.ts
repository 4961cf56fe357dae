import { setMaxListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import type { RateLimitSpec } from '../../config/project/pipeline.types.js';
import { BlockTakes, MAX_BLOCK, type BlockTake } from './block-takes.js';

/**
 * The line in front of a bucket, on a plain in-process bucket (the store and Redis versions run in
 * coordination.contract.test.ts): how many round trips, in which order, and what a give-up does.
 */
function bucket(tokens: number) {
  const asked: number[] = [];
  let left = tokens;
  const takeUpTo = (_limit: RateLimitSpec, wanted: number): Promise<BlockTake> => {
    asked.push(wanted);
    const taken = Math.min(wanted, left);
    left -= taken;
    return Promise.resolve({ taken, waitMs: taken > 0 ? 0 : 5 });
  };
  return { asked, takeUpTo, refill: (n: number) => (left += n) };
}

const limit: RateLimitSpec = { name: 'scoring', calls: 10, perMs: 1_000, burst: 10 };

describe('BlockTakes', () => {
  test('callers waiting together share one round trip, served in arrival order', async () => {
    const b = bucket(100);
    const takes = new BlockTakes(b.takeUpTo);
    const signal = new AbortController().signal;
    setMaxListeners(100, signal); // one abort listener per waiting caller
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => takes.take(limit, signal).then(() => order.push(i))),
    );
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // The first caller starts a round trip alone; the 19 that arrive meanwhile share the next one.
    expect(b.asked).toEqual([1, 19]);
  });

  test('never asks for more than MAX_BLOCK at once, and hands out only what the bucket gave', async () => {
    const b = bucket(MAX_BLOCK + 10);
    const takes = new BlockTakes(b.takeUpTo);
    const stop = new AbortController();
    setMaxListeners(300, stop.signal);
    let granted = 0;
    const all = Promise.allSettled(
      Array.from({ length: MAX_BLOCK + 40 }, () => takes.take(limit, stop.signal).then(() => void granted++)),
    );
    await expect.poll(() => granted).toBe(MAX_BLOCK + 10);
    expect(Math.max(...b.asked)).toBeLessThanOrEqual(MAX_BLOCK);
    b.refill(5);
    await expect.poll(() => granted).toBe(MAX_BLOCK + 15);
    stop.abort(new Error('stopped'));
    const settled = await all;
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(25);
  });

  test('a caller that gives up leaves the line; the others are still served; errors reach every waiter', async () => {
    const b = bucket(0);
    const takes = new BlockTakes(b.takeUpTo);
    const quitter = new AbortController();
    const stays = new AbortController();
    const gaveUp = takes.take(limit, quitter.signal);
    const served = takes.take(limit, stays.signal);
    quitter.abort(new Error('quit'));
    await expect(gaveUp).rejects.toThrow('quit');
    b.refill(1);
    await served;
    // After the refill the one left waiting asked for 1 token (the quitter was no longer in line).
    expect(b.asked.at(-1)).toBe(1);

    const broken = new BlockTakes(() => Promise.reject(new Error('store down')));
    const signal = new AbortController().signal;
    const results = await Promise.allSettled([broken.take(limit, signal), broken.take(limit, signal)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
