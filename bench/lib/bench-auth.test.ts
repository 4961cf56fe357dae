import { describe, expect, test } from 'vitest';
import { accountFor, cookieHeader, mapLimit, parseSetCookies, type BenchAccount } from './bench-auth.js';

describe('bench sign-in helpers', () => {
  test('Set-Cookie lines become a jar: attributes dropped, later values win, empty values clear', () => {
    const jar = parseSetCookies([
      'trellis_session=abc.def; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200',
      'trellis_csrf=tok=en; Path=/; SameSite=Lax; Max-Age=43200',
      'junk',
      '=novalue; Path=/',
    ]);
    expect([...jar]).toEqual([
      ['trellis_session', 'abc.def'],
      // Only the first `=` separates the name: base64 padding in a value survives.
      ['trellis_csrf', 'tok=en'],
    ]);
    expect(cookieHeader(jar)).toBe('trellis_session=abc.def; trellis_csrf=tok=en');
    parseSetCookies(['trellis_session=new; Path=/', 'trellis_csrf=; Path=/; Max-Age=0'], jar);
    expect([...jar]).toEqual([['trellis_session', 'new']]);
    expect(cookieHeader(new Map())).toBeUndefined();
  });

  test('mapLimit keeps the order of the items and never has more than `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 23 }, (_, i) => i);
    const out = await mapLimit(items, 4, async (n, index) => {
      inFlight++;
      most = Math.max(most, inFlight);
      // Later items finish first: order must come from the index, not from completion.
      await new Promise((r) => setTimeout(r, (23 - n) % 5));
      inFlight--;
      return n * 10 + (index === n ? 0 : 1);
    });
    expect(out).toEqual(items.map((n) => n * 10));
    expect(most).toBe(4);
    expect(await mapLimit([], 3, async () => 1)).toEqual([]);
    expect(await mapLimit([1, 2], 10, async (n) => n + 1)).toEqual([2, 3]);
    await expect(mapLimit([1], 0, async (n) => n)).rejects.toThrow(RangeError);
  });

  test('mapLimit rejects with the first failure', async () => {
    await expect(
      mapLimit([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('no 2');
        return n;
      }),
    ).rejects.toThrow('no 2');
  });

  test('accounts are used round-robin', () => {
    const accounts = ['a', 'b', 'c'].map((o): BenchAccount => ({
      email: `${o}@x.example`,
      password: 'p',
      organisation: o,
      role: 'viewer',
    }));
    expect(Array.from({ length: 7 }, (_, i) => accountFor(accounts, i).organisation)).toEqual([
      'a',
      'b',
      'c',
      'a',
      'b',
      'c',
      'a',
    ]);
    expect(() => accountFor([], 0)).toThrow('no bench accounts');
  });
});
