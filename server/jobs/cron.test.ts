import { describe, expect, test } from 'vitest';
import { CronError, parseCron } from './cron.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 16));

/** The first `n` ticks after `from`. */
function ticks(expression: string, from: string, n: number): (string | null)[] {
  const cron = parseCron(expression);
  const out: (string | null)[] = [];
  let t: number | null = at(from);
  for (let i = 0; i < n && t !== null; i++) {
    t = cron.next(t);
    out.push(iso(t));
  }
  return out;
}

describe('cron: fields', () => {
  test('every minute, strictly after the given time (seconds ignored)', () => {
    expect(ticks('* * * * *', '2026-01-01T10:00:30Z', 3)).toEqual([
      '2026-01-01T10:01',
      '2026-01-01T10:02',
      '2026-01-01T10:03',
    ]);
    expect(ticks('* * * * *', '2026-01-01T10:00:00Z', 1)).toEqual(['2026-01-01T10:01']);
  });

  test('fixed minute and hour, across a day and a year boundary', () => {
    expect(ticks('30 2 * * *', '2026-12-30T03:00Z', 3)).toEqual([
      '2026-12-31T02:30',
      '2027-01-01T02:30',
      '2027-01-02T02:30',
    ]);
  });

  test('ranges, steps and lists', () => {
    expect(ticks('*/15 * * * *', '2026-01-01T10:07Z', 4)).toEqual([
      '2026-01-01T10:15',
      '2026-01-01T10:30',
      '2026-01-01T10:45',
      '2026-01-01T11:00',
    ]);
    expect(ticks('0 9-17/4 * * *', '2026-01-01T00:00Z', 4)).toEqual([
      '2026-01-01T09:00',
      '2026-01-01T13:00',
      '2026-01-01T17:00',
      '2026-01-02T09:00',
    ]);
    expect(ticks('5,10,50 8 * * *', '2026-01-01T08:06Z', 3)).toEqual([
      '2026-01-01T08:10',
      '2026-01-01T08:50',
      '2026-01-02T08:05',
    ]);
    expect(ticks('10/20 0 * * *', '2026-01-01T00:00Z', 3)).toEqual([
      '2026-01-01T00:10',
      '2026-01-01T00:30',
      '2026-01-01T00:50',
    ]);
  });

  test('months and day names, 7 as Sunday', () => {
    expect(ticks('0 0 1 jan,JUL *', '2026-02-01T00:00Z', 2)).toEqual([
      '2026-07-01T00:00',
      '2027-01-01T00:00',
    ]);
    // 2026-01-04 is a Sunday.
    expect(ticks('0 12 * * 7', '2026-01-01T00:00Z', 2)).toEqual(['2026-01-04T12:00', '2026-01-11T12:00']);
    expect(ticks('0 12 * * SUN', '2026-01-01T00:00Z', 1)).toEqual(['2026-01-04T12:00']);
    expect(ticks('0 6 * * mon-fri', '2026-01-02T07:00Z', 2)).toEqual([
      '2026-01-05T06:00',
      '2026-01-06T06:00',
    ]);
  });
});

describe('cron: day-of-month and day-of-week', () => {
  test('both restricted: either matches (the 13th, or any Friday)', () => {
    // 2026-02-06 is a Friday; 2026-02-13 is a Friday the 13th; 2026-03-13 is a Friday too.
    expect(ticks('0 0 13 * 5', '2026-02-01T00:00Z', 4)).toEqual([
      '2026-02-06T00:00',
      '2026-02-13T00:00',
      '2026-02-20T00:00',
      '2026-02-27T00:00',
    ]);
  });

  test('one of them a star: both must match', () => {
    expect(ticks('0 0 13 * *', '2026-02-01T00:00Z', 2)).toEqual(['2026-02-13T00:00', '2026-03-13T00:00']);
    expect(ticks('0 0 * * 5', '2026-02-01T00:00Z', 1)).toEqual(['2026-02-06T00:00']);
    // `*/2` starts with a star: day-of-week alone does not widen it.
    expect(ticks('0 0 */10 * 1', '2026-01-01T00:00Z', 1)).toEqual(['2026-05-11T00:00']);
  });

  test('the 31st skips short months; Feb 29 waits for a leap year; Feb 30 never comes', () => {
    expect(ticks('0 0 31 * *', '2026-01-31T01:00Z', 2)).toEqual(['2026-03-31T00:00', '2026-05-31T00:00']);
    expect(ticks('0 0 29 2 *', '2026-01-01T00:00Z', 1)).toEqual(['2028-02-29T00:00']);
    expect(parseCron('0 0 30 2 *').next(at('2026-01-01T00:00Z'))).toBeNull();
  });

  test('matches() agrees with next()', () => {
    const cron = parseCron('*/7 3-5 * * 1-5');
    const t = cron.next(at('2026-03-01T00:00Z'));
    expect(t).not.toBeNull();
    expect(cron.matches(t as number)).toBe(true);
    expect(cron.matches((t as number) + 60_000)).toBe(false);
  });
});

describe('cron: bad expressions say what is wrong', () => {
  test.each([
    ['* * * *', /5 fields/],
    ['60 * * * *', /minute "60": 60 is outside 0–59/],
    ['* 24 * * *', /hour/],
    ['* * 0 * *', /day of month/],
    ['* * * 13 *', /month/],
    ['* * * * 8', /day of week/],
    ['*/0 * * * *', /step "0"/],
    ['5-1 * * * *', /backwards/],
    ['a * * * *', /not a number/],
    ['* * * FOO *', /not a number or a name/],
    ['1,,2 * * * *', /empty|not a value/],
    ['1/2/3 * * * *', /more than one/],
  ])('%s', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronError);
    expect(() => parseCron(expression)).toThrow(message);
  });
});
