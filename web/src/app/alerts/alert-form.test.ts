import { describe, expect, test } from 'vitest';
import { ApiError } from '../../api/api-error.js';
import { alertBody, alertFieldOfError, alertFormOf, alertUpdateBody, muteUntil } from './alert-form.js';

const base = {
  dashboard: 'ops',
  widget: 'total',
  filters: { region: ['hub'] },
  condition: 'above' as const,
  threshold: '12,5',
  scheduleKind: 'every' as const,
  everyMinutes: '15',
  cron: '0 8 * * *',
  timeZone: 'Europe/Berlin',
  channel: 'email' as const,
  url: ' https://hooks.example.com ',
};

describe('alert form', () => {
  test('the body carries one kind of schedule, the threshold as a number, the URL for webhooks only', () => {
    expect(alertBody(base)).toEqual({
      dashboard: 'ops',
      widget: 'total',
      filters: { region: ['hub'] },
      condition: 'above',
      threshold: 12.5,
      everyMinutes: 15,
      channel: 'email',
    });
    expect(alertBody({ ...base, scheduleKind: 'cron', channel: 'webhook' })).toMatchObject({
      cron: '0 8 * * *',
      timeZone: 'Europe/Berlin',
      url: 'https://hooks.example.com',
    });
    expect(alertBody({ ...base, scheduleKind: 'cron' })).not.toHaveProperty('everyMinutes');
    expect(Number.isNaN(alertBody({ ...base, threshold: '' }).threshold)).toBe(true);
  });

  test('refusals land beside their field', () => {
    const refusal = (code: string, path?: string) =>
      new ApiError({
        code,
        message: 'No.',
        status: 400,
        issues: path ? [{ path, message: 'x' }] : undefined,
      });
    expect(alertFieldOfError(refusal('SCHEDULE_INVALID'))).toBe('schedule');
    expect(alertFieldOfError(refusal('WEBHOOK_URL_FORBIDDEN'))).toBe('url');
    expect(alertFieldOfError(refusal('VALIDATION_FAILED', 'threshold'))).toBe('threshold');
    expect(alertFieldOfError(refusal('ALERT_LIMIT'))).toBe('form');
    expect(alertFieldOfError(new Error('x'))).toBe('form');
  });

  test('mute for an hour or a day from now', () => {
    expect(muteUntil('1h', Date.parse('2026-03-02T06:00:00Z'))).toBe('2026-03-02T07:00:00.000Z');
    expect(muteUntil('1d', Date.parse('2026-03-02T06:00:00Z'))).toBe('2026-03-03T06:00:00.000Z');
  });
});

describe('alert edit form', () => {
  const rule = { everyMinutes: 15, cron: null, timeZone: 'UTC' };
  const form = {
    condition: 'above' as const,
    threshold: '12,5',
    scheduleKind: 'every' as const,
    everyMinutes: '15',
    cron: '0 8 * * *',
    timeZone: 'UTC',
  };

  test('an unchanged schedule is left out (sending it would restart the next check)', () => {
    expect(alertUpdateBody(rule, form)).toEqual({ condition: 'above', threshold: 12.5 });
  });

  test('a changed interval, or a switch to cron, is sent whole', () => {
    expect(alertUpdateBody(rule, { ...form, everyMinutes: '30' })).toEqual({
      condition: 'above',
      threshold: 12.5,
      everyMinutes: 30,
    });
    expect(alertUpdateBody(rule, { ...form, scheduleKind: 'cron', timeZone: ' Europe/Berlin ' })).toEqual({
      condition: 'above',
      threshold: 12.5,
      cron: '0 8 * * *',
      timeZone: 'Europe/Berlin',
    });
    const cronRule = { everyMinutes: null, cron: '0 8 * * *', timeZone: 'UTC' };
    expect(alertUpdateBody(cronRule, { ...form, scheduleKind: 'cron' })).toEqual({
      condition: 'above',
      threshold: 12.5,
    });
    expect(
      alertUpdateBody(cronRule, { ...form, scheduleKind: 'cron', timeZone: 'Europe/Berlin' }),
    ).toMatchObject({
      cron: '0 8 * * *',
      timeZone: 'Europe/Berlin',
    });
  });

  test('a threshold that is not a number goes as NaN, for the server to refuse beside the field', () => {
    expect(alertUpdateBody(rule, { ...form, threshold: 'abc' }).threshold).toBeNaN();
  });

  test('the form starts from the rule as saved', () => {
    expect(
      alertFormOf({
        condition: 'change',
        threshold: 2.5,
        everyMinutes: null,
        cron: '0 9 * * 1',
        timeZone: 'Europe/Paris',
      } as Parameters<typeof alertFormOf>[0]),
    ).toEqual({
      condition: 'change',
      threshold: '2.5',
      scheduleKind: 'cron',
      everyMinutes: '15',
      cron: '0 9 * * 1',
      timeZone: 'Europe/Paris',
    });
  });
});
