/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (DOM types: the callbacks passed to page.evaluate run in the browser.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../contract/index.js';
import {
  E2E_PASSWORD as PASSWORD,
  chromiumAvailable,
  launchBrowser,
  screenshotBothSchemes,
  startAccountsServer,
  type Browser,
} from './e2e-harness.js';

/**
 * The account pages in a real browser against the real server and its account API: sign in through
 * the login page (and be sent back where you came from), the header, my sessions, API tokens, the
 * admin pages for members, the organisation and the audit log, and what a viewer is not shown.
 */
const available = chromiumAvailable();
const ADMIN = 'carol@acme.example';
const VIEWER = 'bob@acme.example';

describe.skipIf(!available)('account pages in Chromium', () => {
  let baseUrl: string;
  let close: () => Promise<void>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  /** A signed-in HTTP client of the same server (a second device, another organisation's admin). */
  async function apiAs(email: string, userAgent = 'e2e-client/1.0') {
    const login = await fetch(`${baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl, 'user-agent': userAgent },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = String(login.headers.get('set-cookie')).split(';')[0] ?? '';
    const session = (await login.json()) as SessionInfo & { csrfToken?: string };
    return (method: string, url: string, body?: unknown) =>
      fetch(`${baseUrl}${url}`, {
        method,
        headers: {
          cookie,
          origin: baseUrl,
          'user-agent': userAgent,
          ...(session.csrfToken ? { 'x-csrf-token': session.csrfToken } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
      });
  }

  beforeAll(async () => {
    ({ baseUrl, close } = await startAccountsServer({
      organisations: [
        ['acme', 'Acme Corp'],
        ['globex', 'Globex'],
      ],
      members: [
        { email: ADMIN, password: PASSWORD, organisation: 'acme', role: 'admin' },
        { email: VIEWER, password: PASSWORD, organisation: 'acme', role: 'viewer' },
        { email: 'gina@globex.example', password: PASSWORD, organisation: 'globex', role: 'admin' },
      ],
    }));
    // Carol also belongs to Globex (invited by Globex's admin, accepted by her), so her header offers a switcher.
    const gina = await apiAs('gina@globex.example');
    const invited = await gina('POST', '/api/v1/admin/invitations', { email: ADMIN, role: 'viewer' });
    expect(invited.status).toBe(201);
    const { linkPath } = (await invited.json()) as { linkPath: string };
    const token = new URL(linkPath, baseUrl).searchParams.get('token');
    const carol = await apiAs(ADMIN);
    expect((await carol('POST', '/api/v1/invitations/accept', { token })).status).toBe(200);
    // That API session is done; the sessions test below counts Carol's live sessions.
    expect((await carol('DELETE', '/api/v1/session')).status).toBe(204);

    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      // Failed requests we cause on purpose (401 while signed out, a wrong password) log a resource
      // error; any other console error fails the suite.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
        pageErrors.push(`${page.url()}: console: ${msg.text()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  const shot = (name: string) => screenshotBothSchemes(page, name);
  const header = () => page.locator('header.app-bar');
  const openMenu = async () => {
    const menu = page.locator('details.account-menu');
    if (!(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) await menu.locator('summary').click();
  };
  const goTo = async (title: string) => {
    await openMenu();
    await page.locator('.account-menu-popup').getByRole('link', { name: title, exact: true }).click();
    await page.locator('h1', { hasText: title }).waitFor();
  };
  const confirm = async (label: string | RegExp) => {
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: label }).click();
    await dialog.waitFor({ state: 'detached' });
  };

  it('sends a signed-out visitor to the login page and back, after a wrong then a right password', async () => {
    await page.goto(`${baseUrl}/admin/audit?outcome=failure`);
    await page.waitForURL(/\/login\?next=/);
    expect(new URL(page.url()).searchParams.get('next')).toBe('/admin/audit?outcome=failure');
    await page.getByLabel('Email').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-email');

    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password').fill('not the password');
    await page.getByLabel('Password').press('Enter');
    const error = page.locator('.form-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('The email address or password is not right.');
    expect(await error.textContent()).toMatch(/Request id: \S+/);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await shot('accounts-login');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/admin\/audit\?outcome=failure$/);
    await page.locator('[data-audit-id], .empty-state').first().waitFor();
    expect(await header().textContent()).toContain(ADMIN);
    expect(await header().locator('.role-badge').textContent()).toBe('Admin');
  });

  it('shows the audit log filtered from the URL, pages on, exports the same filters as CSV', async () => {
    // Only failures, if any are visible to this organisation (the wrong password above is one).
    const outcomes = await page.locator('[data-audit-id] .badge').allTextContents();
    expect(outcomes.filter((o) => o.toLowerCase() !== 'failure')).toEqual([]);
    expect(await page.locator('#audit-outcome').inputValue()).toBe('failure');

    const csv = page.getByRole('link', { name: 'Export CSV' });
    const href = (await csv.getAttribute('href')) ?? '';
    expect(href).toBe('/api/v1/audit.csv?outcome=failure');
    const download = await page.request.get(`${baseUrl}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toMatch(/csv/);
    expect((await download.text()).length).toBeGreaterThan(0);

    // Filter by action through the form: the URL and the rows follow.
    await page.locator('#audit-outcome').selectOption('');
    await page.locator('#audit-action').selectOption('login');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\/admin\/audit\?action=login$/);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-audit-id] td:nth-child(3)')].every(
        (td) => td.textContent === 'login',
      ),
    );
    // At least the admin's own sign-in in this organisation.
    const actors = await page.locator('[data-audit-id] td:nth-child(2)').allTextContents();
    expect(actors).toContain(ADMIN);
    await shot('accounts-audit');

    // A filter nothing matches: the empty state, not an empty table.
    await page.locator('#audit-actor').fill('nobody@nowhere.example');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.empty-state').waitFor();
    expect(await page.locator('[data-audit-id]').count()).toBe(0);
  });

  it('invites a member (who sets a password), changes the role, disables, enables, resets the password and removes them', async () => {
    await goTo('Members');
    expect(page.url()).toBe(`${baseUrl}/admin/members`);
    await page.locator(`[data-member="${VIEWER}"]`).waitFor();

    const newcomer = 'dora@acme.example';
    await page.getByLabel('Email', { exact: true }).fill(newcomer);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    // No SMTP here: the one-time link is shown to pass on; dora is pending, not a member yet.
    const link = await page.getByLabel('Invitation link').inputValue();
    await page.locator(`[data-invitation="${newcomer}"]`).waitFor();
    expect(await page.locator(`[data-member="${newcomer}"]`).count()).toBe(0);
    const registered = await fetch(`${baseUrl}/api/v1/invitations/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl },
      body: JSON.stringify({
        token: new URL(link).searchParams.get('token'),
        password: 'a fresh password for dora',
      }),
    });
    expect(registered.status).toBe(201);
    await page.reload();
    const row = page.locator(`[data-member="${newcomer}"]`);
    await row.waitFor();

    const patched = page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && r.url().includes('/api/v1/admin/members/'),
    );
    await row.getByLabel(`Role of ${newcomer}`).selectOption('editor');
    expect((await patched).status()).toBeLessThan(300);
    await page.reload();
    await row.waitFor();
    expect(await row.getByLabel(`Role of ${newcomer}`).inputValue()).toBe('editor');

    await row.getByRole('button', { name: `Disable ${newcomer}` }).click();
    await confirm('Disable');
    await row.locator('.badge', { hasText: 'disabled' }).waitFor();
    await shot('accounts-members');
    await row.getByRole('button', { name: `Enable ${newcomer}` }).click();
    await confirm('Enable');
    await row.locator('.badge', { hasText: 'active' }).waitFor();

    await row.getByRole('button', { name: `Reset the password of ${newcomer}` }).click();
    await page.getByLabel('New password').fill('another long password');
    await confirm('Set password');

    await row.getByRole('button', { name: `Remove ${newcomer}` }).click();
    // Cancel first: nothing happens.
    await page.locator('dialog[open]').getByRole('button', { name: 'Cancel' }).click();
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: `Remove ${newcomer}` }).click();
    await confirm('Remove');
    await row.waitFor({ state: 'detached' });

    // The admin cannot lock themselves out from here.
    const self = page.locator(`[data-member="${ADMIN}"]`);
    expect(await self.locator('select').isDisabled()).toBe(true);
    expect(await self.getByRole('button').count()).toBe(0);
  });

  it('renames the organisation, and the header follows', async () => {
    await goTo('Organisation');
    expect(await page.locator('.facts').textContent()).toContain('acme');
    await page.getByLabel('Name', { exact: true }).fill('Acme Corporation');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.locator('h2', { hasText: 'Acme Corporation' }).waitFor();
    await page.waitForFunction(() =>
      document.querySelector('header.app-bar')?.textContent?.includes('Acme Corporation'),
    );
  });

  it('creates an API token, shows its secret once, and revokes it after a confirmation', async () => {
    await goTo('API tokens');
    const roles = await page.locator('#token-role option').allTextContents();
    expect(roles).toEqual(['Viewer', 'Editor', 'Admin']);
    await page.getByLabel('Name', { exact: true }).fill('nightly export');
    await page.getByLabel('Expires in (days)').fill('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secretPanel = page.getByTestId('token-secret');
    await secretPanel.waitFor();
    const secret = (await secretPanel.locator('.secret-value').textContent()) ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(20);
    expect(await secretPanel.textContent()).toContain('shown only once');
    await secretPanel.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('token-secret').count()).toBe(0);
    // Never shown again: not in the list.
    expect(await page.locator('main').textContent()).not.toContain(secret);

    const row = page.locator('[data-token-id]', { hasText: 'nightly export' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Revoke token nightly export' }).click();
    await confirm('Revoke token');
    await row.locator('.badge', { hasText: 'revoked' }).waitFor();
  });

  it('lists my sessions, revokes one, and signs out everywhere else', async () => {
    await apiAs(ADMIN, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Safari/604.1');
    await apiAs(ADMIN, 'curl/8.5.0');
    await goTo('My sessions');
    await page.waitForFunction(() => document.querySelectorAll('[data-session-id]').length >= 3);
    const current = page.locator('[data-session-id][data-current]');
    expect(await current.count()).toBe(1);
    expect(await current.textContent()).toContain('This device');

    const curl = page.locator('[data-session-id]', { hasText: 'curl' });
    await curl.getByRole('button', { name: /Revoke/ }).click();
    await curl.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await confirm(/Sign out 1 session/);
    await page.waitForFunction(() => document.querySelectorAll('[data-session-id]').length === 1);
    expect(await page.locator('[data-session-id][data-current]').count()).toBe(1);
  });

  it('switches organisation from the header', async () => {
    const select = page.locator('#org-switch');
    await select.waitFor();
    const options = await select.locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining([expect.stringContaining('Globex')]));
    const globex = await select.locator('option', { hasText: 'Globex' }).getAttribute('value');
    await select.selectOption(globex ?? '');
    // A viewer in Globex: the admin links go, and the admin page now says so.
    await page.waitForFunction(() => document.querySelector('.role-badge')?.textContent === 'Viewer');
    await page.goto(`${baseUrl}/admin/members`);
    await page.getByTestId('no-access').waitFor();
  });

  it('signs out, and a viewer sees neither admin links nor admin pages', async () => {
    await openMenu();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    const after = await page.request.get(`${baseUrl}/api/v1/session`);
    expect(after.status()).toBe(401);

    await page.getByLabel('Email').fill(VIEWER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(`${baseUrl}/`);
    await openMenu();
    const links = await page.locator('.account-menu-popup a').allTextContents();
    expect(links).toEqual(['My sessions', 'API tokens', 'Password']);
    for (const url of ['/admin/members', '/admin/audit', '/admin/organisation']) {
      await page.goto(`${baseUrl}${url}`);
      await page.getByTestId('no-access').waitFor();
      expect(await page.getByTestId('no-access').textContent()).toContain('You do not have access');
    }
    // A token can be no stronger than its owner.
    await page.goto(`${baseUrl}/account/tokens`);
    // The form renders once the session has loaded; reading it before would find no options.
    await page.locator('#token-role option').first().waitFor({ state: 'attached' });
    expect(await page.locator('#token-role option').allTextContents()).toEqual(['Viewer']);
    expect(pageErrors).toEqual([]);
  });
});
