import { formatLocale } from '../../charts/value-format.js';

/**
 * Formatting for the account pages: times in the viewer's locale, a short device name from a user
 * agent, and relative expiry. Pure, with `now` and `locale` injectable for tests.
 */

/** "5 Jan 2026, 09:00" ("5. Jan. 2026, 09:00" in German), or "—" for no time. */
export function formatDateTime(iso: string | null | undefined, locale: string = formatLocale()): string {
  if (!iso) return '—';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '—';
  return t.toLocaleString(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/**
 * "in 3 days", "in 2 hours", "5 minutes ago" ("in 3 Tagen", "vor 5 Minuten"): how far `iso` is from
 * `now`, roughly, in the UI's language (Intl.RelativeTimeFormat); under a minute has its own words.
 */
export function formatRelative(
  iso: string,
  now: Date = new Date(),
  locale: string = formatLocale(),
  words: { soon: string; justNow: string } = UNDER_A_MINUTE,
): string {
  const diff = Date.parse(iso) - now.getTime();
  if (Number.isNaN(diff)) return '—';
  const abs = Math.abs(diff);
  const units: [number, Intl.RelativeTimeFormatUnit][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [ms, unit] of units) {
    if (abs >= ms) {
      const n = Math.floor(abs / ms);
      return new Intl.RelativeTimeFormat(locale, { numeric: 'always' }).format(diff > 0 ? n : -n, unit);
    }
  }
  return diff > 0 ? words.soon : words.justNow;
}

let UNDER_A_MINUTE = { soon: 'in under a minute', justNow: 'just now' };
/** The words for under a minute, in the UI's language (set with the language, app/i18n/i18n.ts). */
export function setRelativeWords(next: { soon: string; justNow: string }): void {
  UNDER_A_MINUTE = next;
}

/** The words a device description is made of, in the UI's language (English by default). */
export interface DeviceWords {
  readonly unknown: string;
  browserOnOs(browser: string, os: string): string;
}
const ENGLISH_DEVICE_WORDS: DeviceWords = {
  unknown: 'Unknown device',
  browserOnOs: (browser, os) => `${browser} on ${os}`,
};

/** "Chrome on Linux" from a user agent string; the raw string stays available as a tooltip. */
export function describeUserAgent(
  ua: string | null | undefined,
  words: DeviceWords = ENGLISH_DEVICE_WORDS,
): string {
  if (!ua) return words.unknown;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /(Chrome|Chromium)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : /^curl\//.test(ua)
              ? 'curl'
              : undefined;
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /Linux|X11/.test(ua)
            ? 'Linux'
            : undefined;
  if (browser && os) return words.browserOnOs(browser, os);
  return browser ?? os ?? (ua.length > 40 ? `${ua.slice(0, 40)}…` : ua);
}

/** A token's state for its badge: revoked wins over expired. */
export function tokenState(
  token: { expiresAt: string; revokedAt: string | null },
  now: Date = new Date(),
): 'active' | 'expired' | 'revoked' {
  if (token.revokedAt) return 'revoked';
  return Date.parse(token.expiresAt) <= now.getTime() ? 'expired' : 'active';
}

/** An audit entry's detail as `key: value` pairs, nested values as JSON, capped for a table cell. */
export function formatAuditDetail(detail: Record<string, unknown>, max = 300): string {
  const text = Object.entries(detail)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
