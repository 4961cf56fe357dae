/// <reference lib="dom" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { useBrowserSuite } from './browser-suite.js';
import { check, eventually, waitForDashboard } from './dashboard-page.js';
import { axeSerious, chromiumAvailable, launchBrowser, screenshotBothSchemes } from './e2e-harness.js';

/**
 * The German UI: chosen in the account menu (kept with the user on the server), the clinical-trials
 * Overview's translated titles and filter labels, German numbers and dates, <html lang>, the Ctrl+K
 * language actions, and Accept-Language before anyone signs in.
 * Screenshots: test-results/i18n-{list,dashboard}-de-{light,dark}.png.
 */
const available = chromiumAvailable();
const lang = (page: Page) => page.evaluate(() => document.documentElement.lang);
const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

describe.skipIf(!available)('German UI in Chromium', () => {
  const suite = useBrowserSuite('i18n');
  const { pageErrors } = suite;

  it('switch to German in the account menu: list, dashboard, filters, numbers, dates; kept on reload; back by Ctrl+K', async () => {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${suite.server.baseUrl}/d/overview`);
    await waitForDashboard(page);
    check(await lang(page)).toBe('en');
    check(await text(page, 'h1')).toBe('Overview');

    await page.locator('.account-menu-button').click();
    await page.getByRole('group', { name: 'Language' }).getByRole('radio', { name: 'Deutsch' }).check();
    await eventually(() => lang(page), 'de');
    // The server titles the dashboard again in German (translated titles in overview.yaml).
    await eventually(() => text(page, 'h1'), 'Übersicht');
    await page.keyboard.press('Escape');
    await waitForDashboard(page);
    check(await page.getByRole('region', { name: 'Filter' }).count()).toBe(1);
    check(await page.locator('[data-filter-id="sponsor_class"] .filter-label').innerText()).toBe(
      'Sponsorklasse',
    );
    check(await page.locator('[data-filter-id="started"] legend').innerText()).toBe('Startdatum');
    // The project's own words too: the description and placeholders are translated in overview.yaml.
    check(await text(page, '.page-description')).toMatch(/^Das Register auf einen Blick/);
    check(await page.locator('[data-filter-id="status"] input').getAttribute('placeholder')).toBe(
      'Alle Status',
    );
    check(await page.locator('[data-widget-id="about"]').innerText()).toContain('Die Studien folgen');
    check(await page.locator('[data-filter-id="started"]').getByText('Von', { exact: true }).count()).toBe(1);
    check(await text(page, '[data-widget-id="by_status"] .widget-title')).toBe('Studien nach Status');
    check(await page.getByRole('button', { name: 'Als Tabelle zeigen' }).count()).toBeGreaterThan(0);

    // Numbers: German grouping and decimal marks (1.234,5), in the KPI and in a chart's table view.
    const enrolled = await text(
      page,
      '[data-widget-id="enrollment"] .kpi-value, [data-widget-id="enrollment"] [data-testid="kpi-value"]',
    );
    check(
      /^\d{1,3}(\.\d{3})+$|^\d{1,3}(,\d)?\s(Tsd\.|Mio\.)$|^\d{1,3}$/.test(enrolled.trim()),
      enrolled,
    ).toBe(true);
    await page
      .locator('[data-widget-id="by_status"]')
      .getByRole('button', { name: 'Als Tabelle zeigen' })
      .click();
    const cells = await page.locator('[data-widget-id="by_status"] td').allInnerTexts();
    check(
      cells.some((c) => /^\d{1,3}(\.\d{3})+$/.test(c.trim())),
      cells.join(' | '),
    ).toBe(true);
    check(
      cells.some((c) => /^\d{1,3}(,\d{3})+$/.test(c.trim())),
      cells.join(' | '),
    ).toBe(false);
    await page
      .locator('[data-widget-id="by_status"]')
      .getByRole('button', { name: 'Diagramm zeigen' })
      .click();
    // Dates: the table's start dates read 04.03.2021, not 2021-03-04.
    const recent = await page.locator('[data-widget-id="recent"] td').allInnerTexts();
    check(
      recent.some((c) => /^\d{2}\.\d{2}\.\d{4}$/.test(c.trim())),
      recent.slice(0, 16).join(' | '),
    ).toBe(true);
    check(recent.some((c) => /^\d{4}-\d{2}-\d{2}$/.test(c.trim()))).toBe(false);
    await screenshotBothSchemes(page, 'i18n-dashboard-de');

    // The dashboard list: German plurals and the translated title.
    await page.goto(suite.server.baseUrl);
    await page.locator('[data-dashboard-id="overview"]').waitFor();
    check(await lang(page)).toBe('de');
    check(await text(page, '[data-dashboard-id="overview"] .dashboard-card-title')).toBe('Übersicht');
    check(/^\d+ (Dashboards|Dashboard)$/.test(await text(page, '.page-description'))).toBe(true);
    check(
      /^\d+ Widgets?$/.test(await text(page, '[data-dashboard-id="overview"] .dashboard-card-meta')),
    ).toBe(true);
    await screenshotBothSchemes(page, 'i18n-list-de');

    // Kept with the user on the server: a request that asks for English still gets German.
    const session = await suite.server.fetch('/api/v1/session', { headers: { 'accept-language': 'en-US' } });
    check(((await session.json()) as { locale: string }).locale).toBe('de');
    await page.reload();
    await page.locator('[data-dashboard-id="overview"]').waitFor();
    check(await lang(page)).toBe('de');
    check(await text(page, '.skip-link')).toBe('Zum Inhalt springen');

    // Ctrl+K: "Sprache: English" switches back.
    await page.keyboard.press('Control+k');
    const palette = page.getByTestId('command-palette');
    await palette.waitFor();
    check(await palette.getByRole('option', { name: /Sprache: Deutsch.*Aktuell/ }).count()).toBe(1);
    await palette.getByRole('combobox').fill('english');
    await eventually(() => palette.getByRole('option').count(), 1);
    await palette.getByRole('combobox').press('Enter');
    await eventually(() => lang(page), 'en');
    await eventually(() => text(page, '[data-dashboard-id="overview"] .dashboard-card-title'), 'Overview');
    const after = await suite.server.fetch('/api/v1/session', { headers: { 'accept-language': 'de' } });
    check(((await after.json()) as { locale: string }).locale).toBe('en');
    check(pageErrors).toEqual([]);
    await page.close();
  });

  it('German on every signed-in page: admin, jobs, exports, data, subscriptions and account pages keep no English UI words', async () => {
    const page = await suite.browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${suite.server.baseUrl}/jobs`);
    await page.locator('h1').waitFor();
    await page.locator('.account-menu-button').click();
    await page.getByRole('group', { name: 'Language' }).getByRole('radio', { name: 'Deutsch' }).check();
    await eventually(() => lang(page), 'de');
    await page.keyboard.press('Escape');

    // UI phrases of these pages in English (project content, e.g. pipeline titles, is not translated).
    const english = [
      /\bRun now\b/,
      /\bLast run\b/,
      /\bNever run\b/,
      /\bRun history\b/,
      /\bRuns on demand\b/,
      /\bSchedule\b/,
      /\bRecent exports\b/,
      /\bNo exports yet\b/,
      /\bUpload target\b/,
      /\bChoose a file\b/,
      /\bText encoding\b/,
      /\bVersions\b/,
      /\bScheduled reports\b/,
      /\bNo subscriptions yet\b/,
      /\bInvite a member\b/,
      /\bSend invitation\b/,
      /\bMembers\b/,
      /\bLast sign-in\b/,
      /\bAny action\b/,
      /\bAny outcome\b/,
      /\bEntries\b/,
      /\bExport CSV\b/,
      /\bRename\b/,
      /\bSave name\b/,
      /\bNew token\b/,
      /\bCreate token\b/,
      /\bSign out everywhere\b/,
      /\bThis device\b/,
      /\bLoading\b/,
      /\bCancel\b/,
      /\bDelete\b/,
      /\bRetry\b/,
      /\bNever\b/,
      /\bActions\b/,

      /\bSign out\b/,
      /\bminutes? ago\b/,
      /\bin \d+ (days?|hours?)\b/,
    ];
    const pages: [path: string, heading: string][] = [
      ['/jobs', 'Aufträge'],
      ['/exports', 'Exporte'],
      ['/data', 'Daten'],
      ['/subscriptions', 'Abonnements'],
      ['/admin/members', 'Mitglieder'],
      ['/admin/organisation', 'Organisation'],
      ['/admin/audit', 'Audit-Protokoll'],
      ['/account/sessions', 'Meine Sitzungen'],
      ['/account/tokens', 'API-Tokens'],
    ];
    for (const [path, heading] of pages) {
      await page.goto(`${suite.server.baseUrl}${path}`);
      await eventually(() => text(page, 'h1'), heading);
      // Settled: no skeleton left (lists loaded, or their empty or error state shown).
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, {
        timeout: 30_000,
      });
      const shown = await page.locator('body').innerText();
      // Accessible names a screen reader says count too (aria-label, title, placeholder).
      const named = await page.evaluate(() =>
        [...document.querySelectorAll('main [aria-label], main [title], main [placeholder]')]
          .map((e) => [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('placeholder')])
          .flat()
          .filter(Boolean)
          .join(' | '),
      );
      const left = english.filter((w) => w.test(shown) || w.test(named)).map(String);
      check(left, `${path}: English left`).toEqual([]);
      check(await lang(page)).toBe('de');
      const name = path.slice(1).replace(/\//g, '-');
      await screenshotBothSchemes(page, `i18n-${name}-de`);
      const serious = await axeSerious(page);
      check(serious, `${path}: axe serious/critical in German`).toEqual([]);
    }

    // The palette lists the app bar's pages too (Exports, Subscriptions, Data), in German.
    await page.keyboard.press('Control+k');
    const palette = page.getByTestId('command-palette');
    await palette.waitFor();
    for (const name of ['Exporte', 'Abonnements', 'Daten', 'Aufträge', 'Audit-Protokoll'])
      check(await palette.getByRole('option', { name: new RegExp(`^${name}(\\s|$)`) }).count(), name).toBe(1);
    await palette.getByRole('combobox').fill('abonnements');
    await eventually(() => palette.getByRole('option').count(), 1);
    await palette.getByRole('combobox').press('Enter');
    await eventually(() => Promise.resolve(new URL(page.url()).pathname), '/subscriptions');

    // Back to English for the tests after this one.
    await page.locator('.account-menu-button').click();
    await page.getByRole('group', { name: 'Sprache' }).getByRole('radio', { name: 'English' }).check();
    await eventually(() => lang(page), 'en');
    check(pageErrors).toEqual([]);
    await page.close();
  });

  it('before sign-in, Accept-Language decides: <html lang> and the first paint are German', async () => {
    const anonymous = await launchBrowser();
    try {
      const page = await anonymous.context.newPage();
      // As a German browser asks (the context's own locale is en-US): every request of the page.
      await page.route('**/*', (route) =>
        route.continue({ headers: { ...route.request().headers(), 'accept-language': 'de-DE,de;q=0.9' } }),
      );
      await page.goto(`${suite.server.baseUrl}/login`);
      await page.locator('.skip-link').waitFor({ state: 'attached' });
      check(await lang(page)).toBe('de');
      check(await page.locator('.skip-link').textContent()).toBe('Zum Inhalt springen');
    } finally {
      await anonymous.close();
    }
  });
});
