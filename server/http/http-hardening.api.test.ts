import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loginAs, startApp, widgetData, type SignedIn, type TestApp } from '../../test/app-harness.js';
import { createMiniProject, type MiniProject } from '../../test/mini-project.js';
import { defaultConfig, parseEnv, type AppConfig } from '../config/env.js';

let mini: MiniProject;
const opened: (() => Promise<void>)[] = [];
beforeAll(async () => {
  mini = await createMiniProject();
});
afterAll(async () => {
  for (const close of opened) await close();
});

async function appWith(config: Partial<AppConfig>): Promise<TestApp> {
  const { app, close } = await startApp(mini.dir, config);
  opened.push(close);
  return app;
}

const SECURITY_HEADERS = [
  'x-content-type-options',
  'x-frame-options',
  'content-security-policy',
  'referrer-policy',
];

describe('requests the router cannot take', () => {
  let app: TestApp;
  let user: SignedIn;
  beforeAll(async () => {
    app = await appWith({});
    user = await loginAs(app, { org: 'acme', role: 'viewer' });
  });

  test('invalid UTF-8 in the URL is a 400 in the standard error shape, with request id and security headers', async () => {
    for (const url of ['/%c0', '/api/v1/dashboards/%c0/widgets/x/data', '/%ff%fe']) {
      const r = await app.inject({ url });
      expect(r.statusCode).toBe(400);
      const body = r.json() as Record<string, unknown>;
      expect(body).toMatchObject({ error: 'VALIDATION_FAILED', requestId: r.headers['x-request-id'] });
      expect(typeof body.message).toBe('string');
      for (const h of SECURITY_HEADERS) expect(r.headers[h], h).toBeDefined();
    }
  });

  test('a text/plain body is 415 UNSUPPORTED_MEDIA_TYPE, as documented', async () => {
    const r = await user.inject({
      method: 'POST',
      url: '/api/v1/dashboards/main/widgets/total/data',
      payload: '{"filters":{}}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(r.statusCode).toBe(415);
    expect(r.json()).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  test('a filter value nested 10,000 deep is a 400 at validation, not a 500; 2 deep values still work', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const r = await user.inject({
      method: 'POST',
      url: '/api/v1/dashboards/main/widgets/total/data',
      payload: `{"filters":{"colour":${deep}}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
    expect((r.json() as { message: string }).message).toMatch(/deeper than 4/);
    const objects = await widgetData(user, 'main', 'total', {
      filters: { price: { min: { a: { b: { c: {} } } } } },
    });
    expect(objects.statusCode).toBe(400);
    expect((await widgetData(user, 'main', 'total', { filters: { colour: ['red'] } })).statusCode).toBe(200);
  });
});

describe('request ids', () => {
  test('a client X-Request-Id is kept only from a trusted proxy', async () => {
    const untrusted = await appWith({});
    const listed = await appWith({ trustProxy: ['10.9.0.0/16', '127.0.0.1'] });
    const hops = await appWith({ trustProxy: 1 });
    const id = 'proxy-id-12345678';
    const ask = (app: TestApp, remoteAddress: string, requestId = id) =>
      app.inject({ url: '/healthz', remoteAddress, headers: { 'x-request-id': requestId } });
    expect((await ask(untrusted, '127.0.0.1')).headers['x-request-id']).not.toBe(id);
    expect((await ask(listed, '127.0.0.1')).headers['x-request-id']).toBe(id);
    expect((await ask(listed, '10.9.3.4')).headers['x-request-id']).toBe(id);
    expect((await ask(listed, '10.8.3.4')).headers['x-request-id']).not.toBe(id);
    expect((await ask(hops, '192.0.2.1')).headers['x-request-id']).toBe(id);
    // A trusted proxy still cannot pass a hostile id through.
    expect((await ask(listed, '127.0.0.1', 'a b\tc')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('HSTS', () => {
  test('sent when TRELLIS_PUBLIC_URL is https, not over plain http', async () => {
    const https = await appWith({ publicOrigin: 'https://dash.example.org', allowedHosts: undefined });
    const http = await appWith({});
    const secure = await https.inject({ url: '/healthz' });
    expect(secure.headers['strict-transport-security']).toBe('max-age=31536000');
    // Error answers and the 404 handler carry it too.
    expect((await https.inject({ url: '/nope' })).headers['strict-transport-security']).toBe(
      'max-age=31536000',
    );
    expect((await https.inject({ url: '/%c0' })).headers['strict-transport-security']).toBe(
      'max-age=31536000',
    );
    expect((await http.inject({ url: '/healthz' })).headers['strict-transport-security']).toBeUndefined();
  });
});

describe('Host check (DNS rebinding)', () => {
  test('without a public URL, only localhost, loopback and HOST are served by default', async () => {
    const app = await appWith({});
    const get = (host: string, url = '/api/v1/openapi.json') => app.inject({ url, headers: { host } });
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'LOCALHOST', 'localhost.'])
      expect((await get(host)).statusCode, host).toBe(200);
    for (const host of [
      'evil.example',
      'evil.example:3000',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
    ]) {
      const r = await get(host);
      expect(r.statusCode, host).toBe(421);
      expect(r.json()).toMatchObject({ error: 'HOST_NOT_ALLOWED' });
    }
    // A rebinding page posting a login (Origin and Host both its own) is refused before the Origin check.
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { host: 'evil.example:3000', origin: 'http://evil.example:3000' },
      payload: { email: 'a@b.c', password: 'x' },
    });
    expect(login.statusCode).toBe(421);
    // Probes address the instance by its IP and read nothing of anyone's.
    expect((await get('10.1.2.3:3000', '/healthz')).statusCode).toBe(200);
  });

  test('TRELLIS_ALLOWED_HOSTS adds names; a public URL adds its host and stops the check unless listed', () => {
    const base = { NODE_ENV: 'test' as const };
    expect([...(parseEnv({ ...base, HOST: '0.0.0.0' }).allowedHosts ?? [])].sort()).toEqual([
      '127.0.0.1',
      '[::1]',
      'localhost',
    ]);
    expect(parseEnv({ ...base, HOST: '192.0.2.5' }).allowedHosts?.has('192.0.2.5')).toBe(true);
    expect(parseEnv({ ...base, TRELLIS_ALLOWED_HOSTS: 'dash.internal,Intranet:8080' }).allowedHosts).toEqual(
      new Set(['localhost', '127.0.0.1', '[::1]', '127.0.0.1', 'dash.internal', 'intranet']),
    );
    expect(
      parseEnv({ ...base, TRELLIS_PUBLIC_URL: 'https://dash.example.org' }).allowedHosts,
    ).toBeUndefined();
    expect(
      parseEnv({
        ...base,
        TRELLIS_PUBLIC_URL: 'https://dash.example.org',
        TRELLIS_ALLOWED_HOSTS: 'lb.internal',
      }).allowedHosts,
    ).toEqual(new Set(['localhost', '127.0.0.1', '[::1]', 'dash.example.org', 'lb.internal']));
    expect(parseEnv({ ...base, TRELLIS_ALLOWED_HOSTS: '*' }).allowedHosts).toBeUndefined();
    expect(() => parseEnv({ ...base, TRELLIS_ALLOWED_HOSTS: 'a b' })).toThrow(/TRELLIS_ALLOWED_HOSTS/);
    expect(defaultConfig().allowedHosts?.has('localhost')).toBe(true);
  });
});

describe('per-user data rate limit', () => {
  test('a user past the burst gets 429 RATE_LIMITED with Retry-After; other users are untouched', async () => {
    const app = await appWith({ dataRateLimit: { perSecond: 0.5, burst: 3 } });
    const noisy = await loginAs(app, { org: 'acme', role: 'viewer' });
    const quiet = await loginAs(app, { org: 'acme', role: 'editor' });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await widgetData(noisy, 'main', 'total'));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const limited = await widgetData(noisy, 'main', 'total');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Filter options share the bucket.
    const options = await noisy.inject({ url: '/api/v1/dashboards/main/filters/colour/options' });
    expect(options.statusCode).toBe(429);
    // Other routes are not data requests; another user has a bucket of their own.
    expect((await noisy.inject({ url: '/api/v1/dashboards' })).statusCode).toBe(200);
    expect((await widgetData(quiet, 'main', 'total')).statusCode).toBe(200);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/trellis_overload_total\{code="RATE_LIMITED"\} 2/);
  });
});

describe('organisation names over the admin API', () => {
  test('PATCH /api/v1/admin/organisation normalises the name and refuses NUL, bidi overrides and markup', async () => {
    const app = await appWith({});
    const admin = await loginAs(app, { org: 'names', role: 'admin' });
    const rename = (name: string) =>
      admin.inject({ method: 'PATCH', url: '/api/v1/admin/organisation', payload: { name } });
    for (const bad of ['Acme\u0000', 'Acme \u202Egro.elpmaxe', '<img src=x onerror=alert(1)>', '   ']) {
      const r = await rename(bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      expect(r.json()).toMatchObject({ error: 'VALIDATION_FAILED', issues: [{ path: 'name' }] });
    }
    const ok = await rename('  Cafe\u0301 Lab ');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'Caf\u00e9 Lab' });
  });
});
