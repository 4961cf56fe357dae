import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../../../../contract/locale.js';
import { setRequestLanguage } from '../../api/api-client.js';
import { setChartWords, setFormatLocale, setFormatLabels } from '../../charts/value-format.js';
import { setRelativeWords } from '../accounts/account-format.js';
import { en, type Messages } from './messages/en.js';

/**
 * The UI's languages through i18next + react-i18next (a well-kept pair: plurals by Intl.PluralRules,
 * interpolation, typed keys via i18next.d.ts). English is bundled with the first page; every other
 * catalogue is a chunk of its own, fetched only when that language is chosen, so the first page
 * stays small. Numbers and dates format through Intl in the same language (charts/value-format.ts).
 */
export const LOCALE_STORAGE_KEY = 'trellis.locale';

const loaders: Record<Exclude<Locale, 'en'>, () => Promise<Messages>> = {
  de: async () => (await import('./messages/de.js')).de,
};

export const i18n: I18n = i18next.createInstance();
let started: Promise<unknown> | undefined;

function init(): Promise<unknown> {
  started ??= i18n.use(initReactI18next).init({
    lng: DEFAULT_LOCALE,
    fallbackLng: DEFAULT_LOCALE,
    resources: { en: { translation: en } },
    // React escapes what it renders; escaping here too would show &amp; in labels.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return started;
}

/** The language this browser used last (after sign-in), else <html lang> (the server's Accept-Language pick). */
export function bootLocale(): Locale {
  try {
    const kept = window.localStorage.getItem(LOCALE_STORAGE_KEY);
    if (isLocale(kept)) return kept;
  } catch {
    // Storage blocked: the page's own language decides.
  }
  const lang = document.documentElement.lang;
  return isLocale(lang) ? lang : DEFAULT_LOCALE;
}

/** The Intl tag for numbers and dates: a regional English the browser prefers is kept (en-GB dates). */
function intlTag(locale: Locale): string {
  if (locale === 'de') return 'de-DE';
  const preferred = typeof navigator !== 'undefined' ? navigator.language : undefined;
  return preferred?.toLowerCase().startsWith('en') ? preferred : 'en';
}

/**
 * Switches the whole UI: loads the catalogue if needed, then the language, <html lang>, and the
 * number and date formats. Remembered in this browser so the next page load starts in it.
 */
export async function setLocale(locale: Locale, options: { remember?: boolean } = {}): Promise<void> {
  await init();
  if (locale !== 'en' && !i18n.hasResourceBundle(locale, 'translation'))
    i18n.addResourceBundle(locale, 'translation', await loaders[locale](), true, true);
  setFormatLocale(intlTag(locale));
  setFormatLabels({
    notSet: i18n.t('format.notSet', { lng: locale }),
    yes: i18n.t('format.yes', { lng: locale }),
    no: i18n.t('format.no', { lng: locale }),
  });
  const t = i18n.getFixedT(locale);
  setChartWords({
    kinds: t('chartText.kinds', { returnObjects: true }),
    chart: t('chartText.chart'),
    rows: (count) => t('chartText.rows', { count }),
    moreRows: (count) => t('chartText.moreRows', { count }),
    notOnMap: (shown, more) =>
      more > 0 ? t('chartText.notOnMapMore', { shown, count: more }) : t('chartText.notOnMap', { shown }),
    boxplot: t('chartText.boxplot', { returnObjects: true }),
    total: t('chartText.total'),
    ofFirstStage: t('chartText.ofFirstStage'),
    noData: t('chartText.noData'),
  });
  setRelativeWords({
    soon: i18n.t('time.soon', { lng: locale }),
    justNow: i18n.t('time.justNow', { lng: locale }),
  });
  setRequestLanguage(locale);
  await i18n.changeLanguage(locale);
  document.documentElement.lang = locale;
  if (options.remember)
    try {
      window.localStorage.setItem(LOCALE_STORAGE_KEY, locale);
    } catch {
      // Not kept across reloads; the server's copy still is.
    }
}

let pageTexts: Promise<void> | undefined;
/**
 * The English texts of the signed-in pages (messages/en-pages.ts), added to the catalogue before the
 * first of those pages renders (App.tsx loads them with the page's chunk). Other languages carry them
 * in their own chunk already.
 */
export function loadPageTexts(): Promise<void> {
  pageTexts ??= Promise.all([init(), import('./messages/en-pages.js')]).then(([, m]) => {
    i18n.addResourceBundle('en', 'translation', m.enPages, true, false);
  });
  return pageTexts;
}

export function currentLocale(): Locale {
  return isLocale(i18n.language) ? i18n.language : DEFAULT_LOCALE;
}
