import { describe, expect, test } from 'vitest';
import { BoundedMemo } from './bounded-memo.js';

describe('BoundedMemo', () => {
  test('computes once per key and returns the remembered value after', () => {
    const memo = new BoundedMemo<number>(1_000);
    let calls = 0;
    const compute = () => ++calls;
    expect(memo.get('a', compute)).toBe(1);
    expect(memo.get('a', compute)).toBe(1);
    expect(memo.get('b', compute)).toBe(2);
    expect(calls).toBe(2);
  });

  test('stays within its character budget, dropping the oldest keys first', () => {
    const memo = new BoundedMemo<string>(100);
    for (let i = 0; i < 50; i++) {
      memo.get(`key-${String(i).padStart(6, '0')}`, () => `v${i}`); // 10 characters each
      expect(memo.keyChars).toBeLessThanOrEqual(100);
    }
    expect(memo.size).toBe(10);
    let recomputed = false;
    expect(memo.get('key-000049', () => 'new')).toBe('v49'); // newest kept
    expect(
      memo.get('key-000000', () => {
        recomputed = true;
        return 'again';
      }),
    ).toBe('again'); // oldest dropped
    expect(recomputed).toBe(true);
  });

  test('keys over a tenth of the budget are computed every time, never stored', () => {
    const memo = new BoundedMemo<number>(100);
    let calls = 0;
    memo.get('x'.repeat(11), () => ++calls);
    memo.get('x'.repeat(11), () => ++calls);
    expect(calls).toBe(2);
    expect(memo.size).toBe(0);
  });
});
