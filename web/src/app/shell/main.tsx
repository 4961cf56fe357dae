import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createQueryClient } from './query-client.js';
import { matchRoute } from '../routing/routes.js';
import './styles.css';
import { startThemeSync } from './theme.js';
import { bootLocale, loadPageTexts, setLocale } from '../i18n/i18n.js';

startThemeSync();
// The first paint is in the reader's language: another language's catalogue (a small chunk) is
// fetched before rendering rather than flashing English first.
await setLocale(bootLocale());
// The print layout is a page of its own: none of the signed-in app's frame, session or event streams.
const printed = matchRoute(window.location.pathname);
// Only the PDF renderer opens the print layout: a chunk of its own (with the pages' texts it shows).
const PrintDashboardPage = lazy(() =>
  Promise.all([import('../../pages/PrintDashboardPage.js'), loadPageTexts()]).then(([m]) => ({
    default: m.PrintDashboardPage,
  })),
);
const queryClient = createQueryClient({ signInOn401: printed.name !== 'print-dashboard' });
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      {printed.name === 'print-dashboard' ? (
        <Suspense fallback={<main className="page print-page" aria-busy="true" />}>
          <PrintDashboardPage dashboardId={printed.dashboardId} />
        </Suspense>
      ) : (
        <App />
      )}
    </QueryClientProvider>
  </StrictMode>,
);
