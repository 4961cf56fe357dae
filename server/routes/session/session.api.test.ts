import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApp, type TestApp } from '../../../test/app-harness.js';
import { createMiniProject } from '../../../test/mini-project.js';
import { storeTargets } from '../../../test/store-targets.js';
import { listAudit, CLI_CONTEXT } from '../../audit/audit-log.js';
import { defaultConfig } from '../../config/env.js';

const targets = await storeTargets('the session API tests on a PostgreSQL metadata store');
const PASSWORD = 'correct horse battery staple';
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

const cookieOf = (setCookie: string | string[] | number | undefined) => {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return String(header ?? '').split(';')[0] ?? '';
};

describe.each(targets)('sessions over HTTP, store on $name', (target) => {
  let app: TestApp;
  let close: () => Promise<void>;
  let dispose: () => Promise<void>;
  let now = T0;
  const sessions = defaultConfig().sessions;

  beforeAll(async () => {
    const mini = await createMiniProject();
    const opened = await target.open();
    dispose = opened.dispose;
    ({ app, close } = await startApp(
      mini.dir,
      { sessions: { ...sessions, maxFailuresPerIp: 15 } },
      { store: opened.store, now: () => now },
    ));
    const accounts = app.services.accounts;
    await accounts.createOrganisation('acme', 'Acme Corp', CLI_CONTEXT);
    for (const [email, role] of [
      ['alice@example.com', 'editor'],
      ['bob@example.com', 'viewer'],
      ['carol@example.com', 'admin'],
      ['dave@example.com', 'viewer'],
    ] as const)
      await accounts.createUser({ email, password: PASSWORD, organisation: 'acme', role }, CLI_CONTEXT);
  });
  afterAll(async () => {
    await close?.();
    await dispose?.();
  });

  const login = (email: string, password: string, remoteAddress = '10.0.0.1', cookie?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email, password },
      remoteAddress,
      headers: cookie ? { cookie } : {},
    });
  const whoami = (cookie: string) => app.inject({ url: '/api/v1/session', headers: { cookie } });

  test('a right password signs in: HttpOnly, SameSite=Lax session cookie, no Secure over http', async () => {
    const r = await login('Alice@Example.com ', PASSWORD);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      user: { email: 'alice@example.com' },
      organisation: { slug: 'acme', name: 'Acme Corp' },
      role: 'editor',
      abilities: [
        'dashboards:read',
        'sessions:own',
        'tokens:own',
        'dashboards:edit',
        'pipelines:run',
        'uploads:write',
      ],
      expiresAt: new Date(T0 + 12 * 60 * MINUTE).toISOString(),
      idleTimeoutSeconds: 1800,
    });
    expect(r.headers['cache-control']).toBe('no-store');
    const [setCookie, csrfCookie] = r.headers['set-cookie'] as string[];
    // The CSRF twin is readable by the page's scripts (no HttpOnly) and carries the body's token.
    expect(csrfCookie).toBe(`trellis_csrf=${r.json().csrfToken}; Path=/; SameSite=Lax; Max-Age=43200`);
    expect(setCookie).toMatch(
      /^trellis_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/,
    );
    const me = await whoami(cookieOf(r.headers['set-cookie']));
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { email: 'alice@example.com' }, role: 'editor' });
    const [row] = await listAudit(app.services.store.db, { limit: 1, action: 'login' });
    expect(row).toMatchObject({ outcome: 'success', target: 'alice@example.com', ip: '10.0.0.1' });
    expect(row?.requestId).toBe(r.headers['x-request-id']);
  });

  test('the cookie value is stored only as its sha256', async () => {
    const r = await login('alice@example.com', PASSWORD);
    const token = cookieOf(r.headers['set-cookie']).split('=')[1] ?? '';
    const rows = await app.services.store.db.selectFrom('sessions').select('id_hash').execute();
    expect(rows.some((row) => row.id_hash === token)).toBe(false);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.id_hash))).toBe(true);
  });

  test('unknown user, wrong password and disabled account get the same answer, and no cookie', async () => {
    await app.services.accounts.disableUser('dave@example.com', CLI_CONTEXT);
    const answers = await Promise.all([
      login('nobody@example.com', PASSWORD, '10.0.0.2'),
      login('alice@example.com', 'wrong password!!', '10.0.0.2'),
      login('dave@example.com', PASSWORD, '10.0.0.2'),
    ]);
    for (const r of answers) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['set-cookie']).toBeUndefined();
      const { requestId: _id, ...body } = r.json() as Record<string, unknown>;
      expect(body).toEqual({
        error: 'INVALID_CREDENTIALS',
        message: 'The email address or password is not right.',
      });
    }
    const failures = await listAudit(app.services.store.db, { limit: 3, action: 'login' });
    expect(failures.map((f) => [f.target, f.outcome, f.detail.reason]).sort()).toEqual([
      ['alice@example.com', 'failure', 'wrong_password'],
      ['dave@example.com', 'failure', 'disabled'],
      ['nobody@example.com', 'failure', 'unknown_user'],
    ]);
  });

  test('the 11th failed login within 15 minutes is refused, even with the right password', async () => {
    for (let i = 0; i < 10; i++) {
      now = T0 + i * 1000;
      expect((await login('bob@example.com', `wrong password ${i}`, `10.1.0.${i}`)).statusCode).toBe(401);
    }
    now = T0 + 10_000;
    const locked = await login('bob@example.com', PASSWORD, '10.1.0.99');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: 'TOO_MANY_ATTEMPTS' });
    // The first counted failure (at T0) leaves the window at T0 + 15 min.
    expect(locked.headers['retry-after']).toBe(String(15 * 60 - 10));
    expect(locked.headers['set-cookie']).toBeUndefined();
    const [row] = await listAudit(app.services.store.db, { limit: 1, action: 'login' });
    expect(row).toMatchObject({
      outcome: 'locked_out',
      target: 'bob@example.com',
      detail: { scope: 'account' },
    });
    // Once the oldest failure is out of the window, one more attempt is allowed.
    now = T0 + 15 * MINUTE + 1;
    expect((await login('bob@example.com', PASSWORD, '10.1.0.99')).statusCode).toBe(200);
    now = T0;
  });

  const deviceOf = (setCookie: string | string[] | number | undefined) =>
    (Array.isArray(setCookie) ? setCookie : [])
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.startsWith('trellis_device=')) ?? '';

  test('guessing from many addresses cannot lock the owner out of a known device; others stay locked', async () => {
    now = T0 + 100 * MINUTE;
    await app.services.accounts.createUser(
      { email: 'erin@example.com', password: PASSWORD, organisation: 'acme', role: 'viewer' },
      CLI_CONTEXT,
    );
    const first = await login('erin@example.com', PASSWORD, '10.5.0.1');
    expect(first.statusCode).toBe(200);
    const device = deviceOf(first.headers['set-cookie']);
    expect(device).toMatch(/^trellis_device=[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/);
    expect((first.headers['set-cookie'] as string[]).find((c) => c.startsWith('trellis_device='))).toMatch(
      /; HttpOnly; SameSite=Lax; Max-Age=31536000$/,
    );
    // The attacker, from twelve addresses, one guess each: the account locks for untrusted clients.
    for (let i = 0; i < 12; i++) {
      now = T0 + 101 * MINUTE + i * 1000;
      const r = await login('erin@example.com', `guess ${i}`, `10.6.0.${i}`);
      expect(r.statusCode).toBe(i < 10 ? 401 : 429);
    }
    now = T0 + 102 * MINUTE;
    // Erin, from her known device (any address), signs in with her password…
    const owner = await login('erin@example.com', PASSWORD, '10.5.0.9', device);
    expect(owner.statusCode).toBe(200);
    // …and keeps the same device identity.
    expect(deviceOf(owner.headers['set-cookie'])).toBe(device);
    // Her success cleared the account's count; the attacker starts over, and is locked again.
    for (let i = 0; i < 10; i++) {
      now = T0 + 103 * MINUTE + i * 1000;
      expect((await login('erin@example.com', `guess ${i}`, `10.7.0.${i}`)).statusCode).toBe(401);
    }
    now = T0 + 104 * MINUTE;
    const stranger = await login('erin@example.com', PASSWORD, '10.7.0.99');
    expect(stranger.statusCode).toBe(429);
    expect(stranger.json()).toMatchObject({ error: 'TOO_MANY_ATTEMPTS' });
    // A device cookie of another account, or a forged one, is no exemption.
    const bobDevice = deviceOf(
      (await login('alice@example.com', PASSWORD, '10.5.1.1')).headers['set-cookie'],
    );
    expect((await login('erin@example.com', PASSWORD, '10.7.0.98', bobDevice)).statusCode).toBe(429);
    const forged = device.replace(/\.[A-Za-z0-9_-]{43}$/, `.${'A'.repeat(43)}`);
    expect((await login('erin@example.com', PASSWORD, '10.7.0.97', forged)).statusCode).toBe(429);
    expect((await login('erin@example.com', PASSWORD, '10.5.0.9', device)).statusCode).toBe(200);
    now = T0;
  });

  test('one address guessing one account waits 1 s, 2 s, 4 s… after three failures; a guessing device loses its exemption', async () => {
    const t0 = T0 + 200 * MINUTE;
    now = t0;
    await app.services.accounts.createUser(
      { email: 'frank@example.com', password: PASSWORD, organisation: 'acme', role: 'viewer' },
      CLI_CONTEXT,
    );
    const device = deviceOf((await login('frank@example.com', PASSWORD, '10.8.0.1')).headers['set-cookie']);
    const t = t0 + 1000; // failures at the very millisecond of a success are not after it
    now = t;
    for (let i = 0; i < 3; i++)
      expect((await login('frank@example.com', `guess ${i}`, '10.9.0.1')).statusCode).toBe(401);
    let waited = 0;
    for (const expected of [1, 2, 4, 8]) {
      const held = await login('frank@example.com', PASSWORD, '10.9.0.1');
      expect(held.statusCode).toBe(429);
      expect(held.headers['retry-after']).toBe(String(expected));
      waited += expected * 1000;
      now = t + waited;
      expect((await login('frank@example.com', 'another guess', '10.9.0.1')).statusCode).toBe(401);
    }
    // Another address is not slowed by that one's guessing.
    expect((await login('frank@example.com', PASSWORD, '10.9.0.2')).statusCode).toBe(200);
    // The known device guessing as often as an attacker is treated as one.
    for (let i = 0; i < 10; i++) {
      now = t + 60_000 + i * 1000;
      expect((await login('frank@example.com', `device guess ${i}`, `10.10.0.${i}`, device)).statusCode).toBe(
        401,
      );
    }
    now = t + 80_000;
    const locked = await login('frank@example.com', PASSWORD, '10.10.0.50', device);
    expect(locked.statusCode).toBe(429);
    const [row] = await listAudit(app.services.store.db, { limit: 1, action: 'login' });
    expect(row).toMatchObject({ outcome: 'locked_out', detail: { scope: 'device' } });
    now = T0;
  });

  test('one address failing on many accounts is throttled too', async () => {
    for (let i = 0; i < 15; i++)
      expect((await login(`guess${i}@example.com`, 'not the password', '10.2.0.1')).statusCode).toBe(401);
    const r = await login('carol@example.com', PASSWORD, '10.2.0.1');
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    // Carol herself, from elsewhere, is not locked out.
    expect((await login('carol@example.com', PASSWORD, '10.2.0.2')).statusCode).toBe(200);
  });

  test('idle expiry after 30 minutes without a request; each request keeps the session alive', async () => {
    now = T0;
    const cookie = cookieOf((await login('alice@example.com', PASSWORD, '10.3.0.1')).headers['set-cookie']);
    now = T0 + 29 * MINUTE;
    expect((await whoami(cookie)).statusCode).toBe(200);
    now = T0 + 58 * MINUTE;
    expect((await whoami(cookie)).statusCode).toBe(200);
    now = T0 + 88 * MINUTE;
    const expired = await whoami(cookie);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ error: 'UNAUTHENTICATED' });
    now = T0;
  });

  test('absolute expiry after 12 hours however active the session is', async () => {
    now = T0;
    const cookie = cookieOf((await login('alice@example.com', PASSWORD, '10.3.0.2')).headers['set-cookie']);
    for (let m = 20; m < 12 * 60; m += 20) {
      now = T0 + m * MINUTE;
      expect((await whoami(cookie)).statusCode).toBe(200);
    }
    now = T0 + 12 * 60 * MINUTE;
    expect((await whoami(cookie)).statusCode).toBe(401);
    now = T0;
  });

  test('logout revokes the session and clears the cookie; logging out twice is fine', async () => {
    const signedIn = await login('alice@example.com', PASSWORD, '10.4.0.1');
    const cookie = cookieOf(signedIn.headers['set-cookie']);
    const csrf = { 'x-csrf-token': signedIn.json().csrfToken as string };
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, ...csrf } });
    expect(out.statusCode).toBe(204);
    expect((out.headers['set-cookie'] as string[])[0]).toMatch(
      /^trellis_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/,
    );
    expect((out.headers['set-cookie'] as string[])[1]).toMatch(
      /^trellis_csrf=; Path=\/; SameSite=Lax; Max-Age=0$/,
    );
    expect((await whoami(cookie)).statusCode).toBe(401);
    const [row] = await listAudit(app.services.store.db, { limit: 1, action: 'logout' });
    expect(row).toMatchObject({ outcome: 'success', ip: '127.0.0.1' });
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, ...csrf } }))
        .statusCode,
    ).toBe(204);
    expect(await listAudit(app.services.store.db, { limit: 10, action: 'logout' })).toHaveLength(1);
  });

  test('login rotates: the session cookie sent with the login is revoked, a new one issued', async () => {
    const first = cookieOf((await login('alice@example.com', PASSWORD, '10.4.0.2')).headers['set-cookie']);
    const second = cookieOf(
      (await login('alice@example.com', PASSWORD, '10.4.0.2', first)).headers['set-cookie'],
    );
    expect(second).not.toBe(first);
    expect((await whoami(first)).statusCode).toBe(401);
    expect((await whoami(second)).statusCode).toBe(200);
  });

  test('disabling a user ends their sessions on the next request', async () => {
    const cookie = cookieOf((await login('carol@example.com', PASSWORD, '10.5.0.1')).headers['set-cookie']);
    expect((await whoami(cookie)).statusCode).toBe(200);
    const { revokedSessions } = await app.services.accounts.disableUser('carol@example.com', CLI_CONTEXT);
    expect(revokedSessions).toBeGreaterThanOrEqual(1);
    expect((await whoami(cookie)).statusCode).toBe(401);
  });

  test('no cookie, or a forged one: UNAUTHENTICATED, on the session and on dashboards alike', async () => {
    expect((await app.inject({ url: '/api/v1/session' })).json()).toMatchObject({ error: 'UNAUTHENTICATED' });
    expect((await whoami(`trellis_session=${'A'.repeat(43)}`)).statusCode).toBe(401);
    expect((await whoami('trellis_session=../../etc')).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/dashboards' })).statusCode).toBe(401);
  });
});

test('over https the cookie is Secure and __Host- prefixed', async () => {
  const mini = await createMiniProject();
  const config = defaultConfig();
  const { app, close } = await startApp(mini.dir, { sessions: { ...config.sessions, secureCookie: true } });
  try {
    await app.services.accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
    await app.services.accounts.createUser(
      { email: 'a@example.com', password: PASSWORD, organisation: 'acme', role: 'viewer' },
      CLI_CONTEXT,
    );
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: 'a@example.com', password: PASSWORD },
    });
    const [sessionCookie, csrfCookie] = r.headers['set-cookie'] as string[];
    expect(sessionCookie).toMatch(
      /^__Host-trellis_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure$/,
    );
    expect(csrfCookie).toMatch(
      /^__Host-trellis_csrf=[A-Za-z0-9_-]{43}; Path=\/; SameSite=Lax; Max-Age=43200; Secure$/,
    );
    // The unprefixed name is not read when the server is on https.
    const token = cookieOf(r.headers['set-cookie']).split('=')[1];
    expect(
      (await app.inject({ url: '/api/v1/session', headers: { cookie: `trellis_session=${token}` } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ url: '/api/v1/session', headers: { cookie: `__Host-trellis_session=${token}` } }))
        .statusCode,
    ).toBe(200);
  } finally {
    await close();
  }
});
