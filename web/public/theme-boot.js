// Runs before the first paint (a classic script in <head>; the CSP forbids inline ones), so a page
// never flashes in the wrong theme. It mirrors web/src/app/shell/theme.ts: the preference saved in
// localStorage ('light' | 'dark' | 'system') becomes data-theme="light|dark" on <html>.
/* global window, document, localStorage */
(function () {
  var pref = 'system';
  try {
    pref = localStorage.getItem('trellis.theme') || 'system';
  } catch {
    // Storage can be blocked (private modes, policies): the system theme is then the answer.
  }
  var dark =
    pref === 'dark' || (pref !== 'light' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
})();
