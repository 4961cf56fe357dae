import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../../test/app-harness.js';
import { loginAs, type SignedIn } from '../../../test/login-as.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { storeTargets } from '../../../test/store-targets.js';

const targets = await storeTargets('the UI language API tests on a PostgreSQL metadata store');

describe.each(targets)('the user’s language, store on $name', (target) => {
  let app: TestApp;
  let close: () => Promise<void>;
  let dispose: () => Promise<void>;
  let viewer: SignedIn;
  let editor: SignedIn;
  let otherOrg: SignedIn;

  beforeAll(async () => {
    const mini = await createMiniProject();
    const opened = await target.open();
    dispose = opened.dispose;
    ({ app, close } = await startApp(mini.dir, {}, { store: opened.store }));
    viewer = await loginAs(app, { org: 'acme', role: 'viewer' });
    editor = await loginAs(app, { org: 'acme', role: 'editor' });
    otherOrg = await loginAs(app, { org: 'globex', role: 'admin' });
  });
  afterAll(async () => {
    await close?.();
    await dispose?.();
  });

  const localeOf = async (who: SignedIn, acceptLanguage?: string) => {
    const r = await who.inject({
      url: '/api/v1/session',
      headers: { ...who.read, ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}) },
    });
    expect(r.statusCode).toBe(200);
    return (r.json() as { locale: string }).locale;
  };
  const setLocale = (who: SignedIn, locale: unknown) =>
    who.inject({ method: 'PUT', url: '/api/v1/session/locale', payload: { locale } });

  test('before a choice, Accept-Language decides; after it, the saved choice wins everywhere', async () => {
    expect(await localeOf(viewer)).toBe('en');
    expect(await localeOf(viewer, 'de-AT,de;q=0.9')).toBe('de');
    expect((await setLocale(viewer, 'de')).statusCode).toBe(204);
    expect(await localeOf(viewer)).toBe('de');
    expect(await localeOf(viewer, 'en-US')).toBe('de');
    // A second sign-in (another browser) gets it from the first answer.
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: viewer.email, password: 'correct horse battery staple' },
    });
    expect(again.json()).toMatchObject({ locale: 'de' });
    expect((await setLocale(viewer, 'en')).statusCode).toBe(204);
    expect(await localeOf(viewer, 'de')).toBe('en');
  });

  test('only a language the app speaks, in the exact shape', async () => {
    for (const bad of ['fr', 'DE', '', null, 42])
      expect((await setLocale(editor, bad)).json()).toMatchObject({ error: 'VALIDATION_FAILED' });
    const extra = await editor.inject({
      method: 'PUT',
      url: '/api/v1/session/locale',
      payload: { locale: 'de', userId: viewer.userId },
    });
    expect(extra.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
  });

  test('attackers: a stranger, a cross-site write, an API token, another organisation change nobody’s language', async () => {
    expect((await setLocale(viewer, 'de')).statusCode).toBe(204);
    const stranger = await app.inject({
      method: 'PUT',
      url: '/api/v1/session/locale',
      payload: { locale: 'en' },
    });
    expect(stranger.statusCode).toBe(401);
    // The cookie without the CSRF token (a forged cross-site form) is refused.
    const forged = await app.inject({
      method: 'PUT',
      url: '/api/v1/session/locale',
      headers: viewer.read,
      payload: { locale: 'en' },
    });
    expect(forged.statusCode).toBe(403);
    const created = await otherOrg.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'ci', role: 'admin', expiresInDays: 1 },
    });
    const bearer = { authorization: `Bearer ${(created.json() as { secret: string }).secret}` };
    const byToken = await app.inject({
      method: 'PUT',
      url: '/api/v1/session/locale',
      headers: bearer,
      payload: { locale: 'en' },
    });
    expect([401, 403]).toContain(byToken.statusCode);
    // Another organisation's admin sets only their own row; the viewer keeps German.
    expect((await setLocale(otherOrg, 'en')).statusCode).toBe(204);
    expect(await localeOf(viewer)).toBe('de');
    const rows = await app.services.store.db
      .selectFrom('user_settings')
      .select(['user_id', 'locale'])
      .execute();
    expect(rows.find((r) => r.user_id === viewer.userId)?.locale).toBe('de');
    expect(rows.find((r) => r.user_id === otherOrg.userId)?.locale).toBe('en');
  });
});
