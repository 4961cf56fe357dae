import { describe, expect, test } from 'vitest';
import { ApiError } from '../../api/api-error.js';
import { alertBody, alertFieldOfError, muteUntil } from './alert-form.js';

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
