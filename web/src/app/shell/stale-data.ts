import type { WidgetDataResponse } from '../../../../contract/index.js';

/**
 * The time of the oldest result on screen that the server served only because its source could not
 * be reached (`meta.stale`), or undefined when every result is current. The page's banner shows it.
 */
export function staleSince(responses: readonly (WidgetDataResponse | undefined)[]): string | undefined {
  let oldest: string | undefined;
  for (const r of responses)
    if (r?.meta.stale && (oldest === undefined || Date.parse(r.meta.asOf) < Date.parse(oldest)))
      oldest = r.meta.asOf;
  return oldest;
}

/** "14:02" for today, "3 Dec, 14:02" for another day: the age of data is never hidden. */
export function formatDataTime(iso: string, now: Date = new Date(), locale?: string): string {
  const t = new Date(iso);
  const time = t.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const sameDay = t.toDateString() === now.toDateString();
  return sameDay ? time : `${t.toLocaleDateString(locale, { day: 'numeric', month: 'short' })}, ${time}`;
}
