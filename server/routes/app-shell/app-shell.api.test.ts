import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';

describe('the app shell', () => {
  let app: TestApp;
  let close: () => Promise<void>;
  let webRoot: string;

  beforeAll(async () => {
    webRoot = mkdtempSync(path.join(tmpdir(), 'trellis-web-'));
    mkdirSync(path.join(webRoot, 'assets'));
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><html lang="en"><title>shell</title>');
    writeFileSync(path.join(webRoot, 'assets', 'app-1234.js'), 'export {};');
    writeFileSync(path.join(webRoot, 'theme-boot.js'), '/* theme */');
    const mini = await createMiniProject();
    ({ app, close } = await startApp(mini.dir, { webRoot }));
  });
  afterAll(async () => {
    await close?.();
    rmSync(webRoot, { recursive: true, force: true });
  });

  test.each([
    '/',
    '/d/overview?status=A',
    '/login?next=%2Fadmin%2Faudit',
    '/account/sessions',
    '/account/tokens',
    '/admin/members',
    '/admin/organisation',
    '/admin/audit?action=login',
    '/jobs',
    '/exports',
    '/subscriptions',
    '/data',
    '/invite?token=abc',
    '/forgot-password',
    '/reset-password?token=abc',
    '/account/password',
  ])('deep link %s loads index.html, never cached', async (url) => {
    const r = await app.inject({ url });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toContain('<title>shell</title>');
    expect(r.headers['cache-control']).toBe('no-cache');
  });

  test('<html lang> follows Accept-Language (only languages the app speaks; English otherwise)', async () => {
    const lang = async (header: string | undefined) => {
      const r = await app.inject({
        url: '/d/overview',
        headers: header ? { 'accept-language': header } : {},
      });
      expect(r.headers.vary).toMatch(/accept-language/i);
      return /<html lang="([^"]*)"/.exec(r.body)?.[1];
    };
    expect(await lang('de-DE,de;q=0.9,en;q=0.8')).toBe('de');
    expect(await lang('en-GB')).toBe('en');
    expect(await lang('fr-FR,fr;q=0.9')).toBe('en');
    expect(await lang('"><script>alert(1)</script>')).toBe('en');
    expect(await lang(undefined)).toBe('en');
  });

  test('hashed assets are cached for a year; other paths and unknown API calls are 404s', async () => {
    const asset = await app.inject({ url: '/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/elsewhere', '/loginx', '/jobsx', '/api/v1/nothing-here']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json()).toMatchObject({ error: 'NOT_FOUND' });
    }
  });

  test('the theme boot script (not hashed: index.html names it) is served to anyone, revalidated', async () => {
    const r = await app.inject({ url: '/theme-boot.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/javascript/);
    expect(r.body).toBe('/* theme */');
    expect(r.headers['cache-control']).toBe('no-cache');
  });
});
