import { describe, expect, it } from 'vitest';
import type { RunLogLine } from '../../../../contract/index.js';
import { appendLogLines, EMPTY_LOG, INITIAL_LOG_STATE, logReducer, type LogState } from './run-log.js';

const line = (seq: number, level: RunLogLine['level'] = 'info'): RunLogLine => ({
  seq,
  at: '2026-01-05T12:00:00Z',
  level,
  message: `line ${seq}`,
});
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
const seqs = (state: { lines: readonly RunLogLine[] }) => state.lines.map((l) => l.seq);

describe('the log view', () => {
  it('appends in order, drops lines already held, and counts what the bound let go', () => {
    let view = appendLogLines(EMPTY_LOG, lines(1, 3), 5);
    expect(seqs(view)).toEqual([1, 2, 3]);
    expect(view.lastSeq).toBe(3);
    // The same lines by another route (a page and the stream) and one out of order.
    view = appendLogLines(view, [line(5), line(3), line(4), line(4)], 5);
    expect(seqs(view)).toEqual([1, 2, 3, 4, 5]);
    view = appendLogLines(view, lines(6, 8), 5);
    expect(seqs(view)).toEqual([4, 5, 6, 7, 8]);
    expect(view.hidden).toBe(3);
    expect(view.lastSeq).toBe(8);
    // Nothing new: the same object (no re-render).
    expect(appendLogLines(view, lines(2, 8), 5)).toBe(view);
  });

  it('never holds more than the bound, however many lines arrive at once', () => {
    const view = appendLogLines(EMPTY_LOG, lines(0, 9_999), 500);
    expect(view.lines).toHaveLength(500);
    expect(view.lines[0]?.seq).toBe(9_500);
    expect(view.hidden).toBe(9_500);
  });
});

describe('paging the log and the live lines together', () => {
  const page = (from: number, to: number, nextAfter: number | null, limit = 3) =>
    ({ type: 'page', lines: from > to ? [] : lines(from, to), nextAfter, limit }) as const;

  it('holds live lines until the pages caught up, then adds them after the last page, once', () => {
    let s: LogState = INITIAL_LOG_STATE;
    // A live line arrives before the first page answered.
    s = logReducer(s, { type: 'live', line: line(7) });
    expect(seqs(s.view)).toEqual([]);
    s = logReducer(s, page(1, 3, 3));
    expect(s.caughtUp).toBe(false);
    expect(s.next).toBe(3);
    s = logReducer(s, { type: 'live', line: line(8) });
    s = logReducer(s, page(4, 6, 6));
    // The last page (short) also holds line 7, which the stream brought too.
    s = logReducer(s, page(7, 7, null));
    expect(s.caughtUp).toBe(true);
    expect(seqs(s.view)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.buffer).toEqual([]);
    // From now on live lines go straight to the view.
    s = logReducer(s, { type: 'live', line: line(9) });
    expect(seqs(s.view)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('takes a short or empty page as the end, whatever nextAfter says', () => {
    const short = logReducer(INITIAL_LOG_STATE, page(1, 2, 2));
    expect(short.caughtUp).toBe(true);
    const empty = logReducer(INITIAL_LOG_STATE, page(1, 0, 0));
    expect(empty.caughtUp).toBe(true);
    expect(seqs(empty.view)).toEqual([]);
  });

  it('keeps the live buffer bounded while the pages are behind', () => {
    let s: LogState = INITIAL_LOG_STATE;
    for (let i = 100; i < 1_300; i++) s = logReducer(s, { type: 'live', line: line(i) }, 500);
    expect(s.buffer).toHaveLength(500);
    expect(s.buffer[0]?.seq).toBe(800);
  });
});
