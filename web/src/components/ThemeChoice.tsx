import { useTranslation } from 'react-i18next';
import { setThemePreference, THEME_PREFERENCES } from '../app/shell/theme.js';
import { useThemePreference } from '../hooks/useColorScheme.js';

/** Light / Dark / System as a radio group (arrow keys move between them), kept in this browser. */
export function ThemeChoice() {
  const pref = useThemePreference();
  const { t } = useTranslation();
  return (
    <fieldset className="theme-choice">
      <legend>{t('theme.legend')}</legend>
      {THEME_PREFERENCES.map((p) => (
        <label key={p}>
          <input
            type="radio"
            name="trellis-theme"
            value={p}
            checked={pref === p}
            onChange={() => setThemePreference(p)}
          />
          {t(`theme.${p}`)}
        </label>
      ))}
    </fieldset>
  );
}
