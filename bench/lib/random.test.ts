import { describe, expect, test } from 'vitest';
import { between, pickOne, seededRandom } from './random.js';

describe('seeded randomness for scripted users', () => {
  test('the same seed gives the same sequence; another seed another', () => {
    const take = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
  });

  test('values are uniform in [0, 1)', () => {
    const r = seededRandom(7);
    const buckets = Array.from({ length: 10 }, () => 0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = r();
      if (v < 0 || v >= 1) outside++;
      else buckets[Math.floor(v * 10)] = (buckets[Math.floor(v * 10)] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  test('between and pickOne stay in range', () => {
    const r = seededRandom(1);
    for (let i = 0; i < 1000; i++) {
      const t = between(r, 1_000, 3_000);
      expect(t).toBeGreaterThanOrEqual(1_000);
      expect(t).toBeLessThan(3_000);
      expect(['a', 'b', 'c']).toContain(pickOne(r, ['a', 'b', 'c']));
    }
    expect(() => pickOne(r, [])).toThrow();
  });
});
