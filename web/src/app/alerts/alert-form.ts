import type { AlertCreateBody } from '../../../../contract/index.js';
import { isApiError } from '../../api/api-error.js';

export type AlertField = 'threshold' | 'schedule' | 'timeZone' | 'url' | 'form';

/** Where a refusal of the Alert form is shown: beside the field the server's code names. */
export function alertFieldOfError(err: unknown): AlertField {
  if (!isApiError(err)) return 'form';
  if (err.code === 'SCHEDULE_INVALID') return 'schedule';
  if (err.code === 'WEBHOOK_URL_FORBIDDEN') return 'url';
  const path = err.issues?.[0]?.path ?? '';
  if (path === 'threshold') return 'threshold';
  if (path === 'everyMinutes' || path === 'cron') return 'schedule';
  if (path === 'timeZone' || path === 'url') return path;
  return 'form';
}

/** The create body from the form (the threshold as typed: a comma is a decimal point too). */
export function alertBody(form: {
  dashboard: string;
  widget: string;
  filters: Record<string, unknown>;
  condition: AlertCreateBody['condition'];
  threshold: string;
  scheduleKind: 'every' | 'cron';
  everyMinutes: string;
  cron: string;
  timeZone: string;
  channel: 'email' | 'webhook';
  url: string;
}): AlertCreateBody {
  const threshold = Number(form.threshold.trim().replace(',', '.'));
  return {
    dashboard: form.dashboard,
    widget: form.widget,
    filters: form.filters,
    condition: form.condition,
    // Not a number: sent as NaN → null, which the server refuses beside the field.
    threshold: Number.isFinite(threshold) && form.threshold.trim() !== '' ? threshold : Number.NaN,
    ...(form.scheduleKind === 'every'
      ? { everyMinutes: Math.trunc(Number(form.everyMinutes)) }
      : { cron: form.cron.trim(), timeZone: form.timeZone.trim() }),
    channel: form.channel,
    ...(form.channel === 'webhook' ? { url: form.url.trim() } : {}),
  };
}

/** Mute choices: an hour, a day, or until a chosen time (local `datetime-local` input). */
export function muteUntil(choice: '1h' | '1d', now: number = Date.now()): string {
  return new Date(now + (choice === '1h' ? 3_600_000 : 86_400_000)).toISOString();
}
