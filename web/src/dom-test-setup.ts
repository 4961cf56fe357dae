import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { loadPageTexts, setLocale } from './app/i18n/i18n.js';

// Component tests (*.test.tsx, vitest project `web-dom`): unmount what each test rendered. Testing
// Library does this by itself only when vitest's globals are on, and they are off here.
afterEach(cleanup);

// Components speak through react-i18next: give them the app's English catalogue, as main.tsx does.
await setLocale('en');
// …and the signed-in pages' texts, which the app loads with those pages.
await loadPageTexts();
