// No zod here: the web app's first page imports this file, and the schemas (locale.schema.ts) would
// bring zod with them.

/**
 * The languages the UI speaks. English is the default and the fallback for anything a catalogue or a
 * project title lacks; adding a language means a catalogue in web/src/app/i18n/messages/ and a tag here.
 */
export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** Each language's name in itself, for the picker (a German reader looks for "Deutsch", not "German"). */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch' };

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

// A header is attacker-controlled text: only this much of it, and this many entries, are looked at.
const MAX_HEADER_CHARS = 512;
const MAX_ENTRIES = 16;

/**
 * The best of LOCALES for an Accept-Language header ("de-CH,de;q=0.9,en;q=0.8"): the highest q
 * whose primary subtag is one we speak; ties keep the header's order; DEFAULT_LOCALE otherwise.
 */
export function negotiateLocale(header: string | undefined | null): Locale {
  if (!header) return DEFAULT_LOCALE;
  let best: { locale: Locale; q: number } | undefined;
  for (const part of header.slice(0, MAX_HEADER_CHARS).split(',').slice(0, MAX_ENTRIES)) {
    const [tag = '', ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (!isLocale(primary)) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(p);
      if (m?.[1]) q = Number(m[1]);
    }
    if (q > 0 && (!best || q > best.q)) best = { locale: primary, q };
  }
  return best?.locale ?? DEFAULT_LOCALE;
}

/**
 * A title in a project file: one string, or translations keyed by language
 * (`title: {en: Overview, de: Übersicht}`). The server picks one for each reader (pickTitle).
 */
export type LocalizedText = string | Partial<Record<Locale, string>>;

/** The reader's language if given, else English, else the first translation given. */
export function pickTitle(text: LocalizedText, want: Locale): string {
  if (typeof text === 'string') return text;
  return text[want] ?? text[DEFAULT_LOCALE] ?? Object.values(text).find((v) => v !== undefined) ?? '';
}
