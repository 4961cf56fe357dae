import { describe, expect, it } from 'vitest';
import { addToast, MAX_TOASTS, removeToast, toastLifetimeMs, type Toast } from './toasts.js';

const toast = (id: number, key?: string): Toast => ({
  id,
  kind: 'success',
  title: `t${id}`,
  message: 'm',
  ...(key ? { key } : {}),
});

describe('toasts', () => {
  it('stack newest last, at most MAX_TOASTS, the oldest going first', () => {
    let list: Toast[] = [];
    for (let i = 1; i <= MAX_TOASTS + 2; i++) list = addToast(list, toast(i));
    expect(list.map((t) => t.id)).toEqual([3, 4, 5, 6]);
  });

  it('one per key: the same run heard twice shows once', () => {
    let list = addToast([], toast(1, 'run-1'));
    list = addToast(list, toast(2, 'run-2'));
    list = addToast(list, toast(3, 'run-1'));
    expect(list.map((t) => t.id)).toEqual([2, 3]);
  });

  it('are dismissed by id; failures stay longer', () => {
    expect(removeToast([toast(1), toast(2)], 1).map((t) => t.id)).toEqual([2]);
    expect(toastLifetimeMs('error')).toBeGreaterThan(toastLifetimeMs('success'));
  });
});
