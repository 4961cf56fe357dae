import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../test/app-harness.js';
import { createMiniProject } from '../../test/mini-project.js';
import { signIn, type SignedIn } from '../../test/session-helper.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { defaultConfig } from '../config/env.js';

const PASSWORD = 'correct horse battery staple';
let app: TestApp;
let close: () => Promise<void>;
let admin: SignedIn;
let other: SignedIn;

beforeAll(async () => {
  const mini = await createMiniProject();
  ({ app, close } = await startApp(mini.dir));
  await app.services.accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
  for (const email of ['a@example.com', 'b@example.com'])
    await app.services.accounts.createUser(
      { email, password: PASSWORD, organisation: 'acme', role: 'admin' },
      CLI_CONTEXT,
    );
  admin = await signIn(app, 'a@example.com', PASSWORD);
  other = await signIn(app, 'b@example.com', PASSWORD);
});
afterAll(async () => close?.());

const rename = (headers: Record<string, string>, name = 'Acme') =>
  app.inject({ method: 'PATCH', url: '/api/v1/admin/organisation', headers, payload: { name } });

describe('CSRF on cookie-authenticated writes', () => {
  test('no token, a wrong token, or another session’s token: 403 CSRF_FAILED; the right one passes', async () => {
    expect((await rename(admin.read)).json().error).toBe('CSRF_FAILED');
    expect((await rename({ ...admin.read, 'x-csrf-token': 'x'.repeat(43) })).json().error).toBe(
      'CSRF_FAILED',
    );
    expect((await rename({ ...admin.read, 'x-csrf-token': other.csrf })).json().error).toBe('CSRF_FAILED');
    expect((await rename(admin.write)).statusCode).toBe(200);
    // Nothing changed by the refused ones: the audit log has exactly the one rename.
    const renames = await app.services.store.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'organisation.rename')
      .execute();
    expect(renames).toHaveLength(1);
  });

  test('a foreign Origin or Referer is refused even with the token; this origin passes', async () => {
    const evil = await rename({ ...admin.write, origin: 'https://evil.example' });
    expect(evil.statusCode).toBe(403);
    expect(evil.json().error).toBe('CSRF_FAILED');
    expect((await rename({ ...admin.write, origin: 'null' })).statusCode).toBe(403);
    expect((await rename({ ...admin.write, referer: 'https://evil.example/page' })).statusCode).toBe(403);
    // inject() sends Host: localhost:80; browsers leave the default port out of Origin.
    expect((await rename({ ...admin.write, origin: 'http://localhost' })).statusCode).toBe(200);
    expect((await rename({ ...admin.write, referer: 'http://localhost:80/admin' })).statusCode).toBe(200);
    expect((await rename({ ...admin.write, origin: 'http://localhost:8080' })).statusCode).toBe(403);
  });

  test('login checks the Origin too (login CSRF), and reads are not affected', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { origin: 'https://evil.example' },
      payload: { email: 'a@example.com', password: PASSWORD },
    });
    expect(r.json().error).toBe('CSRF_FAILED');
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(
      (
        await app.inject({
          url: '/api/v1/session',
          headers: { ...admin.read, origin: 'https://evil.example' },
        })
      ).statusCode,
    ).toBe(200);
  });

  test('logout needs the token (a cross-site page cannot sign you out)', async () => {
    const victim = await signIn(app, 'b@example.com', PASSWORD);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: victim.read })).statusCode,
    ).toBe(403);
    expect((await app.inject({ url: '/api/v1/session', headers: victim.read })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: victim.write })).statusCode,
    ).toBe(204);
  });

  test('bearer tokens are exempt (no ambient credential), but still Origin-checked', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin.write,
      payload: { name: 'script', role: 'admin', expiresInDays: 1 },
    });
    const bearer = { authorization: `Bearer ${created.json().secret as string}` };
    expect((await rename(bearer)).statusCode).toBe(200);
    expect((await rename({ ...bearer, origin: 'https://evil.example' })).statusCode).toBe(403);
  });

  test('TRELLIS_PUBLIC_URL is the origin to match when set', async () => {
    const mini = await createMiniProject();
    const started = await startApp(mini.dir, { publicOrigin: 'https://dash.example.org' });
    try {
      await started.app.services.accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
      await started.app.services.accounts.createUser(
        { email: 'a@example.com', password: PASSWORD, organisation: 'acme', role: 'admin' },
        CLI_CONTEXT,
      );
      const me = await signIn(started.app, 'a@example.com', PASSWORD);
      const send = (origin: string) =>
        started.app.inject({
          method: 'PATCH',
          url: '/api/v1/admin/organisation',
          headers: { ...me.write, origin },
          payload: { name: 'Acme' },
        });
      expect((await send('http://localhost')).statusCode).toBe(403);
      expect((await send('https://dash.example.org')).statusCode).toBe(200);
    } finally {
      await started.close();
    }
  });
});

describe('security headers', () => {
  test('CSP without inline scripts, no framing, nosniff, no referrer — on API, errors and pages', async () => {
    for (const url of ['/api/v1/session', '/healthz', '/nowhere']) {
      const r = await app.inject({ url });
      const csp = String(r.headers['content-security-policy']);
      const directives = new Map(
        csp.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name, values] as const;
        }),
      );
      const scripts = directives.get('script-src') ?? directives.get('default-src') ?? [];
      expect(scripts).toEqual(["'self'"]);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'none'"]);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
  });
});

test('config: the default config has a random session secret per process, not from the environment', () => {
  const a = defaultConfig().sessions;
  const b = defaultConfig().sessions;
  expect(a.secretFromEnv).toBe(false);
  expect(a.secret).not.toBe(b.secret);
  expect(a.secret.length).toBeGreaterThanOrEqual(43);
});
