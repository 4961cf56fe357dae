import { describe, expect, test } from 'vitest';
import { keysToRefetch, parseDashboardUpdate } from '../../api/dashboard-updates.js';
import { response } from '../../charts/chart-test-data.js';
import { formatDataTime, staleSince } from './stale-data.js';

const at = (asOf: string, stale: boolean) => {
  const r = response([], []);
  return { ...r, meta: { ...r.meta, asOf, stale } };
};

describe('stale data', () => {
  test('the banner time is the oldest stale result; fresh ones and missing data do not count', () => {
    expect(staleSince([])).toBeUndefined();
    expect(staleSince([at('2026-01-01T10:00:00Z', false), undefined])).toBeUndefined();
    expect(
      staleSince([
        at('2026-01-01T09:00:00Z', false),
        at('2026-01-01T14:02:00Z', true),
        at('2026-01-01T13:30:00Z', true),
      ]),
    ).toBe('2026-01-01T13:30:00Z');
  });

  test('times of today show the time only; other days add the date', () => {
    const now = new Date('2026-01-01T18:00:00');
    expect(formatDataTime(new Date('2026-01-01T14:02:00').toISOString(), now, 'en-GB')).toBe('14:02');
    expect(formatDataTime(new Date('2025-12-30T14:02:00').toISOString(), now, 'en-GB')).toBe('30 Dec, 14:02');
  });
});

describe('dashboard updates', () => {
  test('only well-formed updates are taken', () => {
    expect(parseDashboardUpdate('{"widgets":["a"],"filters":[]}')).toEqual({ widgets: ['a'], filters: [] });
    expect(parseDashboardUpdate('not json')).toBeUndefined();
    expect(parseDashboardUpdate('{"widgets":"a"}')).toBeUndefined();
    expect(parseDashboardUpdate('{"widgets":["a"],"filters":[1]}')).toBeUndefined();
    expect(parseDashboardUpdate('null')).toBeUndefined();
    expect(parseDashboardUpdate(undefined)).toBeUndefined();
  });

  test('an update refetches every data query of its widgets and its filters’ option lists', () => {
    const update = { widgets: ['by_status', 'total'], filters: ['phase'] };
    expect(keysToRefetch('overview', update)).toEqual([
      ['widget-data', 'overview', 'by_status'],
      ['widget-data', 'overview', 'total'],
      ['filter-options', 'overview', 'phase'],
    ]);
  });
});
