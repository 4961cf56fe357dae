import { describe, expect, test } from 'vitest';
import { negotiateLocale, pickTitle } from './locale.js';

describe('negotiateLocale (Accept-Language)', () => {
  test.each([
    [undefined, 'en'],
    ['', 'en'],
    ['de', 'de'],
    ['de-CH,de;q=0.9,en;q=0.8', 'de'],
    ['en-US,en;q=0.9,de;q=0.8', 'en'],
    ['fr-FR,fr;q=0.9,de;q=0.7,en;q=0.5', 'de'],
    ['fr, it', 'en'],
    ['en;q=0.2, DE;q=0.5', 'de'],
    ['de;q=0, en', 'en'],
    ['*', 'en'],
    ['de;q=abc', 'de'],
  ])('%s → %s', (header, want) => {
    expect(negotiateLocale(header)).toBe(want);
  });

  test('a huge header is read only so far', () => {
    expect(negotiateLocale(`${'fr;q=0.5,'.repeat(10_000)}de`)).toBe('en');
  });
});

describe('pickTitle', () => {
  test('the reader’s language, then English, then the first given', () => {
    expect(pickTitle('Plain', 'de')).toBe('Plain');
    expect(pickTitle({ en: 'Overview', de: 'Übersicht' }, 'de')).toBe('Übersicht');
    expect(pickTitle({ en: 'Overview', de: 'Übersicht' }, 'en')).toBe('Overview');
    expect(pickTitle({ en: 'Overview' }, 'de')).toBe('Overview');
    expect(pickTitle({ de: 'Nur Deutsch' }, 'en')).toBe('Nur Deutsch');
  });
});
