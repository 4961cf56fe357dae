import { useTranslation } from 'react-i18next';
import { LOCALE_NAMES, LOCALES } from '../../../contract/locale.js';
import { useLocaleChoice } from '../app/i18n/useLocale.js';

/** English / Deutsch as a radio group (arrow keys move), kept with the user on the server. */
export function LanguageChoice() {
  const { t } = useTranslation();
  const { locale, choose, error } = useLocaleChoice();
  return (
    <fieldset className="theme-choice language-choice">
      <legend>{t('language.legend')}</legend>
      {LOCALES.map((l) => (
        <label key={l} lang={l}>
          <input
            type="radio"
            name="trellis-language"
            value={l}
            checked={locale === l}
            onChange={() => choose(l)}
          />
          {LOCALE_NAMES[l]}
        </label>
      ))}
      {error && (
        <span role="alert" className="org-switch-error">
          {t('language.failed', { message: error.message })}
        </span>
      )}
    </fieldset>
  );
}
