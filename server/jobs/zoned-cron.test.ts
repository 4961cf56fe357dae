import { expect, test } from 'vitest';
import { isTimeZone, parseZonedCron } from './zoned-cron.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

test('08:00 on weekdays in Europe/Paris is 07:00 UTC in winter and 06:00 UTC in summer', () => {
  const cron = parseZonedCron('0 8 * * 1-5', 'Europe/Paris');
  expect(iso(cron.next(Date.parse('2026-01-09T12:00:00Z')))).toBe('2026-01-12T07:00:00.000Z'); // Friday → Monday
  expect(iso(cron.next(Date.parse('2026-07-01T06:00:00Z')))).toBe('2026-07-02T06:00:00.000Z');
  expect(iso(cron.next(Date.parse('2026-07-01T05:59:00Z')))).toBe('2026-07-01T06:00:00.000Z');
});

test('UTC is the plain cron; a zone east of UTC can move the day', () => {
  expect(iso(parseZonedCron('30 1 * * *', 'UTC').next(Date.parse('2026-03-01T02:00:00Z')))).toBe(
    '2026-03-02T01:30:00.000Z',
  );
  // Monday 01:00 in Tokyo is Sunday 16:00 UTC.
  expect(iso(parseZonedCron('0 1 * * MON', 'Asia/Tokyo').next(Date.parse('2026-03-01T00:00:00Z')))).toBe(
    '2026-03-01T16:00:00.000Z',
  );
});

test('a time skipped by spring-forward runs once, just after the gap; a repeated one runs once', () => {
  // Europe/Paris: 2026-03-29 02:00 → 03:00; 2026-10-25 03:00 → 02:00.
  const gap = parseZonedCron('30 2 * * *', 'Europe/Paris');
  const spring = gap.next(Date.parse('2026-03-28T12:00:00Z'));
  expect(iso(spring)).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST: the first instant at or after 02:30 wall
  expect(iso(gap.next(spring as number))).toBe('2026-03-30T00:30:00.000Z');
  const twice = parseZonedCron('30 2 * * *', 'Europe/Paris');
  const first = twice.next(Date.parse('2026-10-24T12:00:00Z'));
  expect(iso(first)).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST, the first of the two
  expect(iso(twice.next(first as number))).toBe('2026-10-26T01:30:00.000Z'); // not 01:30Z the same day
});

test('time zones are checked', () => {
  expect(isTimeZone('America/New_York')).toBe(true);
  expect(isTimeZone('Mars/Olympus')).toBe(false);
  expect(() => parseZonedCron('0 8 * * *', 'Nowhere/City')).toThrow(/time zone/);
  expect(() => parseZonedCron('0 8 * *', 'UTC')).toThrow(/5 fields/);
});
