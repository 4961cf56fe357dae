/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  E2E_PASSWORD as PASSWORD,
  chromiumAvailable,
  launchBrowser,
  screenshotBothSchemes,
  startAccountsServer,
  type Browser,
} from './e2e-harness.js';

/**
 * Membership by consent in a real browser: Globex's admin invites an existing user of Acme (the
 * link is shown once: no SMTP); she accepts while signed in and switches to Globex; a new person
 * accepts by setting a password, then signs in.
 */
const available = chromiumAvailable();
const GINA = 'gina@globex.example';
const CAROL = 'carol@acme.example';
const NEWBIE = 'nina@globex.example';

describe.skipIf(!available)('invitations in Chromium', () => {
  let baseUrl: string;
  let close: () => Promise<void>;
  const browsers: Browser[] = [];
  const pageErrors: string[] = [];
  let carolLink = '';

  async function newPage(): Promise<Page> {
    const browser = await launchBrowser();
    browsers.push(browser);
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    return page;
  }
  async function signInThroughPage(page: Page, email: string, password: string, next = '/') {
    await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  }
  const shot = screenshotBothSchemes;

  beforeAll(async () => {
    ({ baseUrl, close } = await startAccountsServer({
      organisations: [
        ['acme', 'Acme Corp'],
        ['globex', 'Globex'],
      ],
      members: [
        { email: CAROL, password: PASSWORD, organisation: 'acme', role: 'admin' },
        { email: GINA, password: PASSWORD, organisation: 'globex', role: 'admin' },
      ],
    }));
  });

  afterAll(async () => {
    for (const b of browsers) await b.close();
    await close?.();
  });

  it('an admin invites an existing user of another organisation; the link is shown once', async () => {
    const page = await newPage();
    await signInThroughPage(page, GINA, PASSWORD, '/admin/members');
    await page.locator('h1', { hasText: 'Members' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(CAROL);
    await page.getByLabel('Role', { exact: true }).selectOption('editor');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    carolLink = await page.getByLabel('Invitation link').inputValue();
    expect(carolLink).toMatch(new RegExp(`^${baseUrl}/invite\\?token=[A-Za-z0-9_-]{43}$`));
    await page.locator(`[data-invitation="${CAROL}"]`).waitFor();
    // Not a member until she accepts; nothing about her account is shown.
    expect(await page.locator(`[data-member="${CAROL}"]`).count()).toBe(0);
    await shot(page, 'invitations-admin');
  });

  it('the invited user accepts while signed in, then switches to the new organisation', async () => {
    const page = await newPage();
    await signInThroughPage(page, CAROL, PASSWORD);
    await page.goto(carolLink);
    await page.locator('h1', { hasText: 'Join Globex' }).waitFor();
    await shot(page, 'invitations-accept');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.locator('.form-success', { hasText: 'You joined Globex' }).waitFor();
    const select = page.locator('#org-switch');
    await select.waitFor();
    const globex = await select.locator('option', { hasText: 'Globex' }).getAttribute('value');
    await select.selectOption(globex ?? '');
    await page.waitForFunction(() => document.querySelector('.role-badge')?.textContent === 'Editor');
    // Used once: the link is dead now.
    await page.goto(carolLink);
    await page.locator('text=This invitation is unknown, used, revoked or expired.').waitFor();
  });

  it('a new person accepts by setting a password, then signs in', async () => {
    const admin = await newPage();
    await signInThroughPage(admin, GINA, PASSWORD, '/admin/members');
    await admin.getByLabel('Email', { exact: true }).fill(NEWBIE);
    await admin.getByRole('button', { name: 'Send invitation' }).click();
    const link = await admin.getByLabel('Invitation link').inputValue();

    const page = await newPage();
    await page.goto(link);
    await page.locator('h1', { hasText: 'Join Globex' }).waitFor();
    await page.getByLabel('Choose a password').fill('nina chooses her own password');
    await page.getByLabel('Repeat it').fill('nina chooses her own password');
    await shot(page, 'invitations-register');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('.form-success', { hasText: 'Your account is ready' }).waitFor();
    await signInThroughPage(page, NEWBIE, 'nina chooses her own password');
    const session = (await (await page.request.get(`${baseUrl}/api/v1/session`)).json()) as {
      user: { email: string };
      organisation: { slug: string };
      role: string;
    };
    expect(session).toMatchObject({
      user: { email: NEWBIE },
      organisation: { slug: 'globex' },
      role: 'viewer',
    });
    expect(pageErrors).toEqual([]);
  });
});
