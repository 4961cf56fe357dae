import { describe, expect, test } from 'vitest';
import { mean, median, percentile, ratio, round, slope, summarize } from './stats.js';

describe('bench statistics', () => {
  test('nearest-rank percentiles', () => {
    const s = [15, 20, 35, 40, 50];
    expect(percentile(s, 5)).toBe(15);
    expect(percentile(s, 30)).toBe(20);
    expect(percentile(s, 40)).toBe(20);
    expect(percentile(s, 50)).toBe(35);
    expect(percentile(s, 100)).toBe(50);
    expect(percentile([3, 1, 2], 0)).toBe(1);
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
  });

  test('median of odd and even counts, mean, and summaries do not reorder the input', () => {
    const s = [4, 1, 3, 2];
    expect(median(s)).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
    expect(mean(s)).toBe(2.5);
    expect(summarize(s)).toEqual({ n: 4, p50: 2, p95: 4, p99: 4, max: 4, mean: 2.5 });
    expect(s).toEqual([4, 1, 3, 2]);
  });

  test('summaries of a long run (half a million samples) do not overflow the stack', () => {
    const samples = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 1000);
    const s = summarize(samples);
    expect(s.max).toBe(999);
    expect(s.n).toBe(500_000);
    expect(s.p50).toBeGreaterThanOrEqual(499);
    expect(s.p50).toBeLessThanOrEqual(500);
  });

  test('refuses empty samples and bad percentiles', () => {
    expect(() => percentile([], 50)).toThrow();
    expect(() => median([])).toThrow();
    expect(() => percentile([1], 101)).toThrow();
  });
});

describe('marginal cost and ratios', () => {
  test('least-squares slope recovers a line and averages out noise', () => {
    expect(slope([0, 1, 2, 3], [10, 12, 14, 16])).toBe(2);
    // RSS of 100 MB + 0.25 MB per session, one reading 4 MB high: the slope moves by far less.
    expect(slope([0, 125, 250, 500], [100, 131.25, 166.5, 225])).toBeCloseTo(0.2509, 4);
    expect(slope([1, 2], [5, 3])).toBe(-2);
  });

  test('slope refuses what has no slope', () => {
    expect(() => slope([1], [1])).toThrow();
    expect(() => slope([1, 2], [1])).toThrow();
    expect(() => slope([3, 3, 3], [1, 2, 3])).toThrow();
  });

  test('ratio divides and refuses a zero or non-finite denominator', () => {
    expect(ratio(333, 14_913)).toBeCloseTo(0.02233, 5);
    expect(ratio(5.19, 1.02)).toBeCloseTo(5.088, 3);
    expect(() => ratio(1, 0)).toThrow();
    expect(() => ratio(Number.NaN, 1)).toThrow();
    expect(() => ratio(1, Number.POSITIVE_INFINITY)).toThrow();
  });

  test('round keeps the asked digits', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.235, 1)).toBe(1.2);
    expect(round(1306.14, 0)).toBe(1306);
  });
});
