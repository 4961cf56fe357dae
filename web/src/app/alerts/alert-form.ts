import type { AlertCreateBody, AlertRule, AlertUpdateBody } from '../../../../contract/index.js';
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

/**
 * The change body of the Edit form: condition and threshold always; the schedule only when it
 * differs from the rule's (sending it restarts the rule's next check, so an unchanged one is left
 * alone). The channel is fixed once created (PATCH cannot change it).
 */
export function alertUpdateBody(
  rule: Pick<AlertRule, 'everyMinutes' | 'cron' | 'timeZone'>,
  form: {
    condition: AlertCreateBody['condition'];
    threshold: string;
    scheduleKind: 'every' | 'cron';
    everyMinutes: string;
    cron: string;
    timeZone: string;
  },
): AlertUpdateBody {
  const { threshold, condition } = alertBody({
    ...form,
    dashboard: '',
    widget: '',
    filters: {},
    channel: 'email',
    url: '',
  });
  const every = Math.trunc(Number(form.everyMinutes));
  const cron = form.cron.trim();
  const timeZone = form.timeZone.trim();
  const scheduleChanged =
    form.scheduleKind === 'every'
      ? rule.everyMinutes !== every
      : rule.cron !== cron || rule.timeZone !== timeZone;
  return {
    condition,
    threshold,
    ...(!scheduleChanged ? {} : form.scheduleKind === 'every' ? { everyMinutes: every } : { cron, timeZone }),
  };
}

/** The Edit form's starting values: the rule as saved (the threshold as the member would type it). */
export function alertFormOf(rule: AlertRule) {
  return {
    condition: rule.condition,
    threshold: String(rule.threshold),
    scheduleKind: rule.everyMinutes !== null ? ('every' as const) : ('cron' as const),
    everyMinutes: String(rule.everyMinutes ?? 15),
    cron: rule.cron ?? '0 8 * * *',
    timeZone: rule.timeZone,
  };
}

/**
 * An edit's channel part: nothing when the channel and its URL are as saved (a webhook keeps its
 * signing secret); else the new channel, with the URL for a webhook (checked by the server, a new
 * secret).
 */
export function alertChannelChange(
  rule: Pick<AlertRule, 'channel' | 'target'>,
  channel: 'email' | 'webhook',
  url: string,
): Pick<AlertUpdateBody, 'channel' | 'url'> {
  const trimmed = url.trim();
  if (channel === rule.channel && (channel === 'email' || trimmed === rule.target)) return {};
  return channel === 'webhook' ? { channel, url: trimmed } : { channel };
}
