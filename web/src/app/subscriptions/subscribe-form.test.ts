import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error.js';
import { fieldOfError, subscribeBody } from './subscribe-form.js';

const refusal = (code: string, issues?: { path: string; message: string }[]) =>
  new ApiError({ code, message: 'No.', status: 400, issues });

describe('fieldOfError', () => {
  it('puts each server refusal beside its field', () => {
    expect(fieldOfError(refusal('SCHEDULE_INVALID'))).toBe('schedule');
    expect(fieldOfError(refusal('WEBHOOK_URL_FORBIDDEN'))).toBe('url');
    expect(fieldOfError(refusal('VALIDATION_FAILED', [{ path: 'timeZone', message: 'x' }]))).toBe('timeZone');
    expect(fieldOfError(refusal('PRESET_NOT_FOUND'))).toBe('preset');
    expect(fieldOfError(refusal('VALIDATION_FAILED', [{ path: 'preset', message: 'x' }]))).toBe('preset');
    expect(fieldOfError(refusal('SUBSCRIPTION_LIMIT'))).toBe('form');
    expect(fieldOfError(new Error('boom'))).toBe('form');
  });
});

describe('subscribeBody', () => {
  const base = {
    dashboard: 'sales',
    query: '?status=COMPLETED',
    format: 'pdf' as const,
    widget: 'orders',
    filters: { status: 'COMPLETED' },
    preset: '',
    schedule: ' 0 8 * * 1 ',
    timeZone: 'Europe/Paris',
    channel: 'email' as const,
    url: 'https://ignored.example',
  };
  it('a PDF by e-mail carries the filter query, no widget, no URL', () => {
    expect(subscribeBody(base)).toEqual({
      dashboard: 'sales',
      format: 'pdf',
      query: '?status=COMPLETED',
      schedule: '0 8 * * 1',
      timeZone: 'Europe/Paris',
      channel: 'email',
    });
  });
  it('a CSV by webhook carries the widget, its filters and the URL', () => {
    expect(
      subscribeBody({
        ...base,
        query: '',
        format: 'csv',
        channel: 'webhook',
        url: ' https://hook.example/x ',
      }),
    ).toEqual({
      dashboard: 'sales',
      format: 'csv',
      widget: 'orders',
      filters: { status: 'COMPLETED' },
      schedule: '0 8 * * 1',
      timeZone: 'Europe/Paris',
      channel: 'webhook',
      url: 'https://hook.example/x',
    });
  });
  it('with a saved preset, sends its id and neither the query nor the filters', () => {
    expect(subscribeBody({ ...base, preset: 'prs_1' })).toEqual({
      dashboard: 'sales',
      format: 'pdf',
      preset: 'prs_1',
      schedule: '0 8 * * 1',
      timeZone: 'Europe/Paris',
      channel: 'email',
    });
    expect(subscribeBody({ ...base, query: '', format: 'csv', preset: 'prs_1' })).toEqual({
      dashboard: 'sales',
      format: 'csv',
      widget: 'orders',
      preset: 'prs_1',
      schedule: '0 8 * * 1',
      timeZone: 'Europe/Paris',
      channel: 'email',
    });
  });
});
