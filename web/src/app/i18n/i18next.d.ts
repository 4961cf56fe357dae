import type { EnglishCatalogue } from './messages/en.js';

// Typed keys: t('a.missing.key') is a type error, and so is a catalogue without a key English has.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: EnglishCatalogue };
  }
}
