import { describe, expect, test } from 'vitest';
import { mean, median, percentile, summarize } from './stats.js';

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

  test('refuses empty samples and bad percentiles', () => {
    expect(() => percentile([], 50)).toThrow();
    expect(() => median([])).toThrow();
    expect(() => percentile([1], 101)).toThrow();
  });
});
