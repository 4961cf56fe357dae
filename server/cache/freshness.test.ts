import { describe, expect, it } from 'vitest';
import { entryTimes, freshnessPolicy, MAX_GRACE_MS, STALE_IF_ERROR_MS, storageTtlMs } from './freshness.js';

describe('freshnessPolicy', () => {
  it('does not cache live datasets (or zero durations)', () => {
    expect(freshnessPolicy('live')).toBeUndefined();
    expect(freshnessPolicy(0)).toBeUndefined();
    expect(freshnessPolicy('0s')).toBeUndefined();
  });

  it.each([
    ['short', 60_000, 60_000],
    ['medium', 300_000, 300_000],
    ['long', 1_800_000, MAX_GRACE_MS],
    ['90s', 90_000, 90_000],
    ['2m', 120_000, 120_000],
    ['2h', 7_200_000, MAX_GRACE_MS],
    [45_000, 45_000, 45_000],
  ] as const)('%s → TTL %i ms, grace %i ms (equal to the TTL, capped)', (freshness, ttlMs, graceMs) => {
    expect(freshnessPolicy(freshness)).toEqual({ ttlMs, graceMs, staleIfErrorMs: STALE_IF_ERROR_MS });
  });

  it('takes other caps and stale-if-error windows, never shorter than the grace', () => {
    expect(freshnessPolicy('medium', { maxGraceMs: 30_000, staleIfErrorMs: 10_000 })).toEqual({
      ttlMs: 300_000,
      graceMs: 30_000,
      staleIfErrorMs: 30_000,
    });
  });

  it('rejects what is not a tier or a duration', () => {
    expect(() => freshnessPolicy('soon')).toThrow();
    expect(() => freshnessPolicy(-5)).toThrow(TypeError);
  });
});

describe('entry times and storage TTL', () => {
  it('fresh for the TTL, then stale-while-revalidate for the grace, stored through stale-if-error', () => {
    const policy = freshnessPolicy('short');
    if (!policy) throw new Error('short is cached');
    expect(entryTimes(policy, 1_000)).toEqual({ storedAt: 1_000, freshUntil: 61_000, staleUntil: 121_000 });
    expect(storageTtlMs(policy)).toBe(60_000 + STALE_IF_ERROR_MS);
  });
});
