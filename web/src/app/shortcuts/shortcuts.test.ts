import { describe, expect, test } from 'vitest';
import {
  createShortcutReader,
  isTypingTarget,
  neighbourDashboard,
  SEQUENCE_MS,
  type KeyLike,
} from './shortcuts.js';

const body = { tagName: 'BODY' };
const key = (k: string, more: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  target: body,
  ...more,
});

describe('keyboard shortcuts', () => {
  test('single keys and the g sequences', () => {
    const read = createShortcutReader();
    expect(['?', '/', 'r', '[', ']', 'x'].map((k) => read(key(k), 0))).toEqual([
      'help',
      'focus-filters',
      'refresh',
      'previous-dashboard',
      'next-dashboard',
      undefined,
    ]);
    expect(read(key('g'), 0)).toBeUndefined();
    expect(read(key('d'), 100)).toBe('go-dashboards');
    expect(read(key('g'), 200)).toBeUndefined();
    expect(read(key('j'), 300)).toBe('go-jobs');
    // "d" or "j" alone does nothing; a sequence is forgotten after a pause or another key.
    expect(read(key('j'), 400)).toBeUndefined();
    read(key('g'), 1_000);
    expect(read(key('j'), 1_000 + SEQUENCE_MS + 1)).toBeUndefined();
    read(key('g'), 5_000);
    read(key('x'), 5_001);
    expect(read(key('d'), 5_002)).toBeUndefined();
  });

  test('Ctrl+K and ⌘K open the palette, even from a field', () => {
    const read = createShortcutReader();
    const input = { tagName: 'INPUT', type: 'text' };
    expect(read(key('k', { ctrlKey: true, target: input }), 0)).toBe('palette');
    expect(read(key('K', { metaKey: true }), 0)).toBe('palette');
    expect(read(key('k', { ctrlKey: true, altKey: true }), 0)).toBeUndefined();
  });

  test('never while typing in a field or with a modifier', () => {
    const read = createShortcutReader();
    for (const target of [
      { tagName: 'INPUT' },
      { tagName: 'input', type: 'search' },
      { tagName: 'TEXTAREA' },
      { tagName: 'SELECT' },
      { tagName: 'DIV', isContentEditable: true },
    ])
      for (const k of ['?', '/', 'r', '[', ']'])
        expect(read(key(k, { target }), 0), `${k} in ${JSON.stringify(target)}`).toBeUndefined();
    for (const mod of [{ ctrlKey: true }, { metaKey: true }, { altKey: true }])
      expect(read(key('r', mod), 0)).toBeUndefined();
    // g in a field, then d outside it: no sequence.
    read(key('g', { target: { tagName: 'INPUT' } }), 0);
    expect(read(key('d'), 10)).toBeUndefined();
    // A checkbox takes no text.
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });

  test('previous and next dashboard wrap around the list', () => {
    const ids = ['a', 'b', 'c'];
    expect(neighbourDashboard(ids, 'b', 1)).toBe('c');
    expect(neighbourDashboard(ids, 'c', 1)).toBe('a');
    expect(neighbourDashboard(ids, 'a', -1)).toBe('c');
    expect(neighbourDashboard(ids, undefined, 1)).toBe('a');
    expect(neighbourDashboard(ids, 'gone', -1)).toBe('c');
    expect(neighbourDashboard([], 'a', 1)).toBeUndefined();
  });
});
