import { describe, expect, test } from 'vitest';
import { readThemePreference, resolveScheme, THEME_STORAGE_KEY } from './theme.js';

describe('theme preference', () => {
  test('a saved light/dark/system is read back; anything else, or blocked storage, is system', () => {
    const store = (v: string | null) => ({ getItem: (k: string) => (k === THEME_STORAGE_KEY ? v : null) });
    expect(readThemePreference(store('dark'))).toBe('dark');
    expect(readThemePreference(store('light'))).toBe('light');
    expect(readThemePreference(store('system'))).toBe('system');
    expect(readThemePreference(store('purple'))).toBe('system');
    expect(readThemePreference(store(null))).toBe('system');
    expect(readThemePreference(undefined)).toBe('system');
    const blocked = {
      getItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(readThemePreference(blocked)).toBe('system');
  });

  test('system resolves to the OS scheme; an explicit choice ignores it', () => {
    expect(resolveScheme('system', true)).toBe('dark');
    expect(resolveScheme('system', false)).toBe('light');
    expect(resolveScheme('light', true)).toBe('light');
    expect(resolveScheme('dark', false)).toBe('dark');
  });
});
