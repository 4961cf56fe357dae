import { useSyncExternalStore } from 'react';
import {
  getThemePreference,
  subscribeThemePreference,
  type ColorScheme,
  type ThemePreference,
} from '../app/shell/theme.js';

/** The scheme on <html data-theme> (the user's choice resolved), so charts switch with the page. */
function subscribeScheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}

export function useColorScheme(): ColorScheme {
  return useSyncExternalStore(
    subscribeScheme,
    () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'),
    () => 'light',
  );
}

/** The user's choice (light, dark, system), kept in step across components and tabs. */
export function useThemePreference(): ThemePreference {
  return useSyncExternalStore(subscribeThemePreference, getThemePreference, () => 'system');
}
