import { describe, expect, test } from 'vitest';
import { TokenBuckets } from './user-rate-limit.js';

describe('TokenBuckets', () => {
  test('a burst, then one request per 1/rate seconds; each key has its own bucket', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => buckets.take('u'))).toEqual([0, 0, 0]);
    expect(buckets.take('u')).toBe(500); // half a second until the next token
    expect(buckets.take('v')).toBe(0);
    now = 499;
    expect(buckets.take('u')).toBeGreaterThan(0);
    now = 1_000;
    expect(buckets.take('u')).toBe(0);
    // Idle long enough, the bucket is full again but never more than the burst.
    now = 60_000;
    expect([1, 2, 3].map(() => buckets.take('u'))).toEqual([0, 0, 0]);
    expect(buckets.take('u')).toBeGreaterThan(0);
  });

  test('rate 0 is off; the number of buckets is bounded', () => {
    const off = new TokenBuckets({ perSecond: 0, burst: 1 });
    expect(Array.from({ length: 100 }, () => off.take('u')).every((ms) => ms === 0)).toBe(true);
    let now = 0;
    const bounded = new TokenBuckets({ perSecond: 1, burst: 5 }, () => now, 100);
    for (let i = 0; i < 1_000; i++) {
      now = i;
      bounded.take(`user-${i}`);
    }
    expect(bounded.size).toBeLessThanOrEqual(100);
    // The most recent keys kept their (drained) state.
    now = 1_000;
    expect(bounded.take('user-999')).toBe(0);
  });
});
