import { describe, expect, it } from 'vitest';
import { keyOf, NO_SELECTION, pageState, toggleKey, togglePage } from './row-selection.js';

describe('row selection', () => {
  it('adds and removes one key, refusing one beyond the max', () => {
    let sel = toggleKey(NO_SELECTION, 'a', 2);
    sel = toggleKey(sel, 'b', 2);
    expect(sel).toEqual({ keys: ['a', 'b'], refused: 0 });
    const over = toggleKey(sel, 'c', 2);
    expect(over).toEqual({ keys: ['a', 'b'], refused: 1 });
    expect(toggleKey(over, 'a', 2)).toEqual({ keys: ['b'], refused: 0 });
  });

  it('selects a page up to the max and says how many did not fit; a full page clears', () => {
    const page = ['a', 'b', 'c', 'd'];
    const some = togglePage({ keys: ['x'], refused: 0 }, page, 3);
    expect(some).toEqual({ keys: ['x', 'a', 'b'], refused: 2 });
    expect(pageState(some, page)).toBe('some');
    const all = togglePage(NO_SELECTION, page, 10);
    expect(pageState(all, page)).toBe('all');
    expect(togglePage(all, page, 10)).toEqual({ keys: [], refused: 0 });
    expect(pageState(NO_SELECTION, page)).toBe('none');
  });

  it('takes only text and number cells as keys', () => {
    expect(keyOf('c-1')).toBe('c-1');
    expect(keyOf(7)).toBe('7');
    expect(keyOf(null)).toBeNull();
    expect(keyOf('')).toBeNull();
    expect(keyOf(true)).toBeNull();
  });
});
