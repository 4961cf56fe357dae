/**
 * A five-field cron schedule in words for the Subscriptions page ("Every day at 08:00"). Only the
 * shapes the Subscribe presets make (and plain variants) are put in words; anything else is shown as
 * the cron text itself, which is still exact.
 */

/** The sentences, by shape, with {m}, {at}, {day} filled in (the page passes the catalogue's). */
export type ScheduleWords = (
  shape: 'hourly' | 'daily' | 'weekdays' | 'weekly' | 'monthly',
  values: { m?: number; at?: string; day?: string | number },
) => string;

const ENGLISH: ScheduleWords = (shape, v) =>
  ({
    hourly: `Every hour at minute ${v.m}`,
    daily: `Every day at ${v.at}`,
    weekdays: `Every weekday at ${v.at}`,
    weekly: `Every ${v.day} at ${v.at}`,
    monthly: `Monthly on day ${v.day} at ${v.at}`,
  })[shape];

/** A weekday's name in a language, 0 = Sunday (1 January 2023 was a Sunday). */
function dayName(d: number, locale: string): string {
  return new Date(Date.UTC(2023, 0, 1 + d)).toLocaleDateString(locale, { weekday: 'long', timeZone: 'UTC' });
}

const num = (s: string, max: number): number | null =>
  /^\d{1,2}$/.test(s) && Number(s) <= max ? Number(s) : null;

export function scheduleInWords(cron: string, words: ScheduleWords = ENGLISH, locale = 'en'): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return cron;
  const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const m = num(min, 59);
  if (m === null || month !== '*') return cron;
  if (hour === '*' && dom === '*' && dow === '*') return words('hourly', { m });
  const h = num(hour, 23);
  if (h === null) return cron;
  const at = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  if (dom === '*' && dow === '*') return words('daily', { at });
  if (dom === '*' && (dow === '1-5' || dow === 'MON-FRI')) return words('weekdays', { at });
  const d = num(dow, 7);
  if (dom === '*' && d !== null) return words('weekly', { day: dayName(d % 7, locale), at });
  const day = num(dom, 31);
  if (dow === '*' && day !== null && day >= 1) return words('monthly', { day, at });
  return cron;
}
