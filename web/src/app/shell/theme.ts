/**
 * The theme: the user's choice (light, dark, or follow the system) kept in this browser's
 * localStorage — read before the first paint by public/theme-boot.js, which needs it synchronously
 * and before any session is known, so a server-side setting could not prevent the flash. The
 * resolved scheme lives in data-theme on <html>; CSS and charts (useColorScheme) follow it.
 */
export type ThemePreference = 'light' | 'dark' | 'system';
export type ColorScheme = 'light' | 'dark';

export const THEME_STORAGE_KEY = 'trellis.theme';
export const THEME_PREFERENCES: readonly ThemePreference[] = ['light', 'dark', 'system'];
const systemDark = '(prefers-color-scheme: dark)';

export function isThemePreference(v: unknown): v is ThemePreference {
  return v === 'light' || v === 'dark' || v === 'system';
}

export function readThemePreference(storage: Pick<Storage, 'getItem'> | undefined): ThemePreference {
  try {
    const v = storage?.getItem(THEME_STORAGE_KEY);
    return isThemePreference(v) ? v : 'system';
  } catch {
    // Storage blocked by the browser's policy: the system theme is the answer, as in theme-boot.js.
    return 'system';
  }
}

export function resolveScheme(pref: ThemePreference, systemIsDark: boolean): ColorScheme {
  return pref === 'system' ? (systemIsDark ? 'dark' : 'light') : pref;
}

function applyScheme(pref: ThemePreference): void {
  document.documentElement.dataset.theme = resolveScheme(pref, window.matchMedia(systemDark).matches);
}

const listeners = new Set<() => void>();

export function getThemePreference(): ThemePreference {
  return readThemePreference(window.localStorage);
}

/** Saves the choice and applies it at once; every open useThemePreference re-renders. */
export function setThemePreference(pref: ThemePreference): void {
  try {
    window.localStorage.setItem(THEME_STORAGE_KEY, pref);
  } catch {
    // Not kept across reloads when storage is blocked, but this page still switches.
  }
  applyScheme(pref);
  for (const l of listeners) l();
}

export function subscribeThemePreference(onChange: () => void): () => void {
  listeners.add(onChange);
  // 'system' follows the operating system live; another tab's choice arrives as a storage event.
  const mql = window.matchMedia(systemDark);
  const sync = () => {
    applyScheme(getThemePreference());
    onChange();
  };
  mql.addEventListener('change', sync);
  window.addEventListener('storage', sync);
  return () => {
    listeners.delete(onChange);
    mql.removeEventListener('change', sync);
    window.removeEventListener('storage', sync);
  };
}

export const THEME_LABELS: Record<ThemePreference, string> = {
  light: 'Light',
  dark: 'Dark',
  system: 'System',
};

/** Keeps data-theme in step with the system while the choice is 'system'; called once at start. */
export function startThemeSync(): () => void {
  applyScheme(getThemePreference());
  return subscribeThemePreference(() => undefined);
}
