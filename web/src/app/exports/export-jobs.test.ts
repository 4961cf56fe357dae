import { describe, expect, test } from 'vitest';
import type { ExportFile } from '../../../../contract/index.js';
import { exportTransitions, formatBytes } from './export-jobs.js';

const file = (id: string, status: ExportFile['status']): ExportFile => ({
  id,
  dashboard: 'd',
  widget: 'w',
  format: 'csv',
  fileName: `d-w-2026-01-01.csv`,
  status,
  rowsTotal: 10,
  rowsDone: 0,
  rowsPerSecond: null,
  etaSeconds: null,
  bytes: null,
  error: status === 'failed' ? { code: 'QUERY_TIMEOUT', message: 'Too slow.' } : null,
  mine: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  expiresAt: null,
});

describe('export toasts', () => {
  test('one toast when a pending export becomes ready or fails; none for what was already finished', () => {
    const before = [file('a', 'running'), file('b', 'queued'), file('c', 'ready'), file('d', 'running')];
    const after = [file('a', 'ready'), file('b', 'failed'), file('c', 'ready'), file('d', 'running')];
    const toasts = exportTransitions(before, after);
    expect(toasts.map((t) => [t.kind, t.key])).toEqual([
      ['success', 'export:a'],
      ['error', 'export:b'],
    ]);
    expect(toasts[1]?.message).toContain('Too slow.');
  });

  test('the first look (page just opened) and cancellations give none', () => {
    expect(exportTransitions(undefined, [file('a', 'ready')])).toEqual([]);
    expect(exportTransitions([file('a', 'running')], [file('a', 'cancelled')])).toEqual([]);
  });
});

test('sizes', () => {
  expect(formatBytes(null)).toBe('—');
  expect(formatBytes(512)).toBe('512 B');
  expect(formatBytes(1536)).toBe('1.5 KB');
  expect(formatBytes(95_963_291)).toBe('92 MB');
});
