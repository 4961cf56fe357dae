import { describe, expect, test } from 'vitest';
import { civilFromDays, daysFromCivil } from './civil-days.js';

describe('civil day numbers', () => {
  test('agree with Date.UTC across leap years, centuries and before 1970', () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [1899, 12, 30],
      [1900, 2, 28],
      [1900, 3, 1],
      [2000, 2, 29],
      [2024, 12, 31],
      [1, 1, 1],
      [9999, 12, 31],
    ] as const) {
      const days = Date.UTC(y, m - 1, d) / 86_400_000;
      // Date.UTC maps years 0–99 to 1900–1999; year 1 is checked through setUTCFullYear.
      const expected = y < 100 ? new Date(Date.UTC(2000, m - 1, d)).setUTCFullYear(y) / 86_400_000 : days;
      expect(daysFromCivil(y, m, d)).toBe(expected);
      expect(civilFromDays(expected)).toEqual([y, m, d]);
    }
  });

  test('round-trip every day of four centuries', () => {
    const start = daysFromCivil(1800, 1, 1);
    for (let n = start; n < start + 146_097; n++) {
      const [y, m, d] = civilFromDays(n);
      expect(daysFromCivil(y, m, d)).toBe(n);
    }
  });
});
