import { describe, expect, test } from 'vitest';
import { clampNote, readAutoRefresh, storageKey, widgetRefreshMs } from './auto-refresh.js';

describe('auto-refresh', () => {
  test('off never refetches; otherwise never faster than the dataset keeps its data', () => {
    expect(widgetRefreshMs(0, 60_000)).toBe(false);
    expect(widgetRefreshMs(60_000, 0)).toBe(60_000); // live data: the choice as it is
    expect(widgetRefreshMs(60_000, 300_000)).toBe(300_000);
    expect(widgetRefreshMs(900_000, 300_000)).toBe(900_000);
  });

  test('the page says when freshness slows the choice down', () => {
    expect(clampNote(0, [3_600_000])).toBeUndefined();
    expect(clampNote(300_000, [60_000, 0])).toBeUndefined();
    expect(clampNote(60_000, [3_600_000, 0])).toBe(
      'Some widgets refresh every 1 h at most: their data is kept that long.',
    );
    expect(clampNote(60_000, [300_000, 300_000])).toBe(
      'Widgets refresh every 5 min at most: their data is kept that long.',
    );
  });

  test('a stored value that is not a choice reads as off', () => {
    const store = (v: string | null) => ({ getItem: (k: string) => (k === storageKey('d') ? v : null) });
    expect(readAutoRefresh(store('300000'), 'd')).toBe(300_000);
    expect(readAutoRefresh(store('1000'), 'd')).toBe(0);
    expect(readAutoRefresh(store('x'), 'd')).toBe(0);
    expect(readAutoRefresh(undefined, 'd')).toBe(0);
  });
});
