import type {
  Subscription,
  SubscriptionCreateBody,
  SubscriptionUpdateBody,
} from '../../../../contract/index.js';
import { isApiError } from '../../api/api-error.js';

/** The Subscribe dialog's schedule presets: cron text read in the chosen time zone. */
export const SCHEDULE_PRESETS = [
  { id: 'daily', label: 'Every day at 08:00', cron: '0 8 * * *' },
  { id: 'weekly', label: 'Every Monday at 08:00', cron: '0 8 * * 1' },
] as const;

export type SubscribeField = 'schedule' | 'timeZone' | 'url' | 'preset' | 'form';

/**
 * Where a refusal of the Subscribe form is shown: the server's code (or a validation issue's path)
 * names the field, so the message sits beside it; anything else goes above the buttons.
 */
export function fieldOfError(err: unknown): SubscribeField {
  if (!isApiError(err)) return 'form';
  if (err.code === 'SCHEDULE_INVALID') return 'schedule';
  if (err.code === 'WEBHOOK_URL_FORBIDDEN') return 'url';
  // A preset gone since the list was read (deleted, unshared) or never visible to this member.
  if (err.code === 'PRESET_NOT_FOUND') return 'preset';
  const path = err.issues?.[0]?.path;
  if (path === 'schedule' || path === 'timeZone' || path === 'url' || path === 'preset') return path;
  return 'form';
}

/** The browser's own time zone, the dialog's default (UTC if the browser does not say). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * The create body from the form: the PDF carries the filter part of the dashboard's address, the CSV
 * its widget's values; with a saved preset neither is sent (the server reads the preset at every
 * delivery, and refuses a body with both).
 */
export function subscribeBody(form: {
  dashboard: string;
  query: string;
  format: 'pdf' | 'csv';
  widget: string;
  /** CSV: the widget's filter values, as a widget export sends them. */
  filters: Record<string, unknown>;
  /** A saved preset's id, or '' for the filters of the bar. */
  preset: string;
  schedule: string;
  timeZone: string;
  channel: 'email' | 'webhook';
  url: string;
}): SubscriptionCreateBody {
  return {
    dashboard: form.dashboard,
    format: form.format,
    schedule: form.schedule.trim(),
    timeZone: form.timeZone.trim(),
    channel: form.channel,
    ...(form.preset ? { preset: form.preset } : form.query ? { query: form.query } : {}),
    ...(form.format === 'csv' && form.widget
      ? { widget: form.widget, ...(form.preset ? {} : { filters: form.filters }) }
      : {}),
    ...(form.channel === 'webhook' ? { url: form.url.trim() } : {}),
  };
}

/**
 * The edit body from the same form: everything but the dashboard. Without a preset the report's own
 * filters are always sent (so a report moved off a preset does not keep it); the webhook URL only
 * when it changed (an unchanged one keeps its signing secret; a new one gets a new secret).
 */
export function subscriptionEditBody(
  body: SubscriptionCreateBody,
  original: Pick<Subscription, 'channel' | 'target'>,
): SubscriptionUpdateBody {
  const { dashboard: _dashboard, url, ...rest } = body;
  const keepUrl = rest.channel === 'webhook' && original.channel === 'webhook' && url === original.target;
  return {
    ...rest,
    ...(!rest.preset && rest.format === 'pdf' ? { query: rest.query ?? '' } : {}),
    ...(rest.channel === 'webhook' && !keepUrl ? { url } : {}),
  };
}
