import { describe, expect, test } from 'vitest';
import { TrellisError } from '../errors.js';
import { evaluateAlert, formatAlertValue } from './alert-condition.js';
import { alertSchedule } from './alert-schedule.js';

describe('evaluateAlert', () => {
  test('above and below are strict: the threshold itself has not crossed', () => {
    expect(evaluateAlert('above', 100, 123, null)).toBe(true);
    expect(evaluateAlert('above', 100, 100, null)).toBe(false);
    expect(evaluateAlert('below', 100, 99.5, null)).toBe(true);
    expect(evaluateAlert('below', 100, 100, null)).toBe(false);
    expect(evaluateAlert('below', -5, -6, 0)).toBe(true);
  });

  test('change by % compares with the previous check, either way', () => {
    expect(evaluateAlert('change', 10, 110, 100)).toBe(true);
    expect(evaluateAlert('change', 10, 90, 100)).toBe(true);
    expect(evaluateAlert('change', 10, 109, 100)).toBe(false);
    expect(evaluateAlert('change', 50, -150, -100)).toBe(true);
    // Nothing to compare with yet; from zero any move counts.
    expect(evaluateAlert('change', 10, 500, null)).toBe(false);
    expect(evaluateAlert('change', 10, 1, 0)).toBe(true);
    expect(evaluateAlert('change', 10, 0, 0)).toBe(false);
  });

  test('values in messages', () => {
    expect(formatAlertValue(123)).toBe('123');
    expect(formatAlertValue(2 / 3)).toBe('0.6667');
  });
});

describe('alertSchedule', () => {
  const code = (f: () => unknown) => {
    try {
      f();
      return 'ok';
    } catch (err) {
      return err instanceof TrellisError ? err.code : 'other';
    }
  };

  test('every N minutes: at least 5, the next check N minutes on', () => {
    const s = alertSchedule({ everyMinutes: 15 });
    expect(s).toMatchObject({ everyMinutes: 15, cron: null, timeZone: 'UTC' });
    expect(s.next(1_000)).toBe(1_000 + 15 * 60_000);
    expect(code(() => alertSchedule({ everyMinutes: 4 }))).toBe('SCHEDULE_INVALID');
    expect(code(() => alertSchedule({ everyMinutes: 7.5 }))).toBe('SCHEDULE_INVALID');
  });

  test('cron in the member’s zone; exactly one kind; never more often than every 5 minutes', () => {
    const s = alertSchedule({ cron: '0 8 * * *', timeZone: 'Europe/Berlin' });
    // 08:00 in Berlin on 2 March (winter) is 07:00 UTC.
    expect(new Date(s.next(Date.parse('2026-03-02T06:00:00Z'))).toISOString()).toBe(
      '2026-03-02T07:00:00.000Z',
    );
    expect(code(() => alertSchedule({ cron: '*/5 * * * *' }))).toBe('ok');
    expect(code(() => alertSchedule({ cron: '*/4 * * * *' }))).toBe('SCHEDULE_INVALID');
    expect(code(() => alertSchedule({ cron: '0 8 * * *', timeZone: 'Nowhere/City' }))).toBe(
      'SCHEDULE_INVALID',
    );
    expect(code(() => alertSchedule({}))).toBe('SCHEDULE_INVALID');
    expect(code(() => alertSchedule({ everyMinutes: 5, cron: '0 8 * * *' }))).toBe('SCHEDULE_INVALID');
  });
});
