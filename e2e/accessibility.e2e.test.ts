import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { check, checks, eventually, waitForDashboard } from './dashboard-page.js';
import {
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  openAudited,
  resultsDir,
  startServer,
  type Browser,
  type RunningServer,
} from './e2e-harness.js';

/**
 * axe-core on EVERY page of the app, light and dark, signed in (as an admin: every page exists for
 * them) and signed out (login, invitation, password pages, 404): 0 serious or critical violations.
 * The count per page is printed. Then a keyboard-only walk of a dashboard: filters, cross-filter,
 * drill-down and the palette without the mouse.
 */
const available = chromiumAvailable();

describe.skipIf(!available)('accessibility of every page in Chromium', () => {
  let server: RunningServer;
  let signedIn: Browser;
  let signedOut: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(resultsDir, { recursive: true });
    ensureWebBuild();
    server = await startServer('clinical-trials');
    signedIn = await launchBrowser(server);
    signedOut = await launchBrowser();
  });
  afterAll(async () => {
    await signedIn?.close();
    await signedOut?.close();
    await server?.close();
    console.log(`\naccessibility browser checks run: ${checks.count}\n`);
  });

  it('every page has 0 serious/critical axe violations, light and dark', async () => {
    const list = (await (await server.fetch('/api/v1/dashboards')).json()) as {
      dashboards: { id: string }[];
    };
    check(list.dashboards.length).toBeGreaterThan(3);
    const pages: { name: string; browser: Browser; path: string; ready?: (p: Page) => Promise<unknown> }[] = [
      { name: 'dashboards list', browser: signedIn, path: '/' },
      ...list.dashboards.map((d) => ({
        name: `dashboard ${d.id}`,
        browser: signedIn,
        path: `/d/${d.id}`,
        ready: (p: Page) => waitForDashboard(p),
      })),
      { name: 'data', browser: signedIn, path: '/data' },
      { name: 'jobs', browser: signedIn, path: '/jobs' },
      { name: 'exports', browser: signedIn, path: '/exports' },
      { name: 'subscriptions', browser: signedIn, path: '/subscriptions' },
      { name: 'admin members', browser: signedIn, path: '/admin/members' },
      { name: 'admin organisation', browser: signedIn, path: '/admin/organisation' },
      { name: 'admin audit', browser: signedIn, path: '/admin/audit' },
      { name: 'account sessions', browser: signedIn, path: '/account/sessions' },
      { name: 'account tokens', browser: signedIn, path: '/account/tokens' },
      { name: 'account password', browser: signedIn, path: '/account/password' },
      { name: 'not found (signed in)', browser: signedIn, path: '/d/no-such-dashboard' },
      { name: 'login', browser: signedOut, path: '/login' },
      { name: 'invitation', browser: signedOut, path: '/invite?token=not-a-real-token' },
      { name: 'forgot password', browser: signedOut, path: '/forgot-password' },
      { name: 'reset password', browser: signedOut, path: '/reset-password?token=not-a-real-token' },
      { name: 'not found (signed out)', browser: signedOut, path: '/d/no-such-dashboard' },
    ];
    const found: string[] = [];
    const counts: string[] = [];
    for (const p of pages) {
      const { page, serious } = await openAudited(p.browser, `${server.baseUrl}${p.path}`, {
        errors: pageErrors,
        ...(p.ready ? { ready: p.ready } : {}),
      });
      counts.push(`${p.name.padEnd(32)} light ${serious.light.length}  dark ${serious.dark.length}`);
      console.log(`axe ${counts.at(-1) ?? ''}`);
      for (const scheme of ['light', 'dark'] as const)
        for (const v of serious[scheme]) {
          found.push(`${p.name} (${scheme}): ${v}`);
          console.log(`  ${scheme}: ${v}`);
        }
      if (p.name === 'dashboards list' || p.name === 'login')
        await page.screenshot({ path: path.join(resultsDir, `a11y-${p.name.replace(/ /g, '-')}.png`) });
      await page.close();
    }
    console.log(`axe serious/critical per page:\n${counts.join('\n')}`);
    check(found).toEqual([]);
    check(pageErrors).toEqual([]);
    // Two axe runs on some twenty pages: minutes on a loaded machine.
  }, 900_000);

  it('a dashboard works from the keyboard alone: filters, cross-filter, drill-down, palette', async () => {
    const page = await signedIn.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        const label =
          el?.getAttribute('aria-label') ?? (el as HTMLInputElement | null)?.labels?.[0]?.textContent ?? '';
        return `${el?.getAttribute('data-testid') ?? ''}|${label.trim()}|${el?.closest('[data-widget-id]')?.getAttribute('data-widget-id') ?? ''}`;
      });
    /** Tabs forward (at most `max` times) until the focused element matches. */
    async function tabTo(matches: (f: string) => boolean, max = 120): Promise<void> {
      for (let i = 0; i < max; i++) {
        if (matches(await focused())) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`never reached by Tab; last: ${await focused()}`);
    }
    const search = () => new URL(page.url()).searchParams;

    // `/` jumps to the filters; the Phase box takes typing, arrows and Enter.
    await page.keyboard.press('/');
    await tabTo((f) => (f.split('|')[1] ?? '').startsWith('Phase'));
    await page.keyboard.type('PHASE3');
    // The options follow the typing (searched on the server): wait until they have.
    const options = page.getByRole('listbox', { name: 'Phase' }).getByRole('option');
    await eventually(async () => (await options.first().innerText()).includes('PHASE3'), true);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await eventually(async () => search().get('phase'), 'PHASE3');
    await page.keyboard.press('Escape');
    await waitForDashboard(page);

    // Cross-filter: Tab to the status chart's marks, Enter on the first.
    await tabTo((f) => f.startsWith('chart-marks|') && f.endsWith('|by_status'));
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await eventually(async () => [...search().keys()].some((k) => k !== 'phase'), true);
    await waitForDashboard(page);

    // Drill-down: Tab on to the started-per-year chart, Enter on a year.
    await tabTo((f) => f.startsWith('chart-marks|') && f.endsWith('|starts'));
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await eventually(async () => (search().get('dr') ?? '').startsWith('starts:'), true);
    await waitForDashboard(page);

    // The palette: Ctrl+K, type, Enter opens another dashboard.
    await page.keyboard.press('Control+k');
    await page.getByTestId('command-palette').waitFor();
    await page.keyboard.type('Distributions');
    await eventually(
      () =>
        page
          .getByTestId('command-palette')
          .getByRole('option', { name: /^Distributions/ })
          .getAttribute('aria-selected'),
      'true',
    );
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/d/distributions');
    await waitForDashboard(page);
    // Back returns to the drilled, filtered overview (headless Chromium has no Alt+Left: the browser's Back).
    await page.goBack();
    await page.waitForURL((u) => u.pathname === '/d/overview');
    check(search().get('phase')).toBe('PHASE3');
    check(pageErrors).toEqual([]);
    await page.close();
  }, 300_000);
});
