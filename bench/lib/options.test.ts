import { describe, expect, test } from 'vitest';
import { DEFAULTS, parseBenchArgs, parseRowCount, rowLabel } from './options.js';

describe('bench options', () => {
  test('row counts in m/k or plain digits', () => {
    expect(parseRowCount('1m')).toBe(1_000_000);
    expect(parseRowCount('10M')).toBe(10_000_000);
    expect(parseRowCount('100m')).toBe(100_000_000);
    expect(parseRowCount('250k')).toBe(250_000);
    expect(parseRowCount('2.5m')).toBe(2_500_000);
    expect(parseRowCount('5000')).toBe(5_000);
    for (const bad of ['', 'ten', '1g', '-1m', '10', '1.5']) expect(() => parseRowCount(bad)).toThrow();
  });

  test('labels round-trip', () => {
    for (const n of [1_000_000, 10_000_000, 250_000, 12_345]) expect(parseRowCount(rowLabel(n))).toBe(n);
    expect(rowLabel(100_000_000)).toBe('100m');
  });

  test('defaults, then environment, then flags', () => {
    expect(parseBenchArgs([], {})).toEqual({
      ...DEFAULTS,
      scenarios: [],
      duckdbThreads: undefined,
      profile: false,
      pin: true,
      redisUrl: 'redis://127.0.0.1:6379',
      baseline: undefined,
    });
    expect(parseBenchArgs([], { BENCH_REDIS_URL: 'redis://cache:6380/2' }).redisUrl).toBe(
      'redis://cache:6380/2',
    );
    expect(parseBenchArgs(['--no-pin'], {}).pin).toBe(false);
    expect(parseBenchArgs([], { BENCH_PIN: '0' }).pin).toBe(false);
    expect(parseBenchArgs(['--duckdb-threads', '1'], {}).duckdbThreads).toBe(1);
    expect(parseBenchArgs(['--baseline', '/tmp/old'], {}).baseline).toBe('/tmp/old');
    expect(parseBenchArgs(['--baseline=/tmp/a'], { BENCH_BASELINE: '/tmp/b' }).baseline).toBe('/tmp/a');
    expect(parseBenchArgs([], { BENCH_BASELINE: '/tmp/b' }).baseline).toBe('/tmp/b');
    expect(() => parseBenchArgs(['--baseline'], {})).toThrow(/needs a directory/);
    const env = { BENCH_ROWS: '10m', BENCH_USERS_DURATION: '60', BENCH_PROFILE: '1' };
    expect(parseBenchArgs([], env)).toMatchObject({ rows: 10_000_000, usersDurationS: 60, profile: true });
    const o = parseBenchArgs(['cold-scan', '--scan-rows', '100m', '--rows=2m', 'event-loop'], env);
    expect(o).toMatchObject({
      scenarios: ['cold-scan', 'event-loop'],
      rows: 2_000_000,
      scanRows: 100_000_000,
      usersDurationS: 60,
    });
  });

  test('unknown or incomplete flags are usage errors', () => {
    expect(() => parseBenchArgs(['--fast'], {})).toThrow(/unknown option/);
    expect(() => parseBenchArgs(['--users'], {})).toThrow(/needs a value/);
    expect(() => parseBenchArgs(['--users', '0'], {})).toThrow(/positive/);
    expect(() => parseBenchArgs([], { BENCH_SESSIONS: 'many' })).toThrow();
  });
});
