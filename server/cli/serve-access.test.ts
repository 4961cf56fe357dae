import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clinicalTrialsDir, repoRoot, requireExampleData } from '../../test/paths.js';
import { startServe, TEST_SECRET } from '../../test/serve-process.js';

// The built CLI (npm test builds first): what refuses to start, and demo mode end to end.
const temp: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-serve-'));
  temp.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});
beforeAll(() => requireExampleData());

/** The test's environment minus any session secret of its own. */
function withoutSecret(): Record<string, string> {
  const env = { ...process.env } as Record<string, string>;
  delete env.TRELLIS_SESSION_SECRET;
  return env;
}

const trellis = (args: string[], env: Record<string, string>, input?: string) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'trellis.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...withoutSecret(), LOG_LEVEL: 'warn', PORT: '0', ...env },
    ...(input === undefined ? {} : { input }),
  });

describe('serve refuses to start', () => {
  test('without a session secret (outside demo mode), saying how to make one', () => {
    const r = trellis(['serve', clinicalTrialsDir], { TRELLIS_DATA_DIR: tempDir() });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('TRELLIS_SESSION_SECRET is not set');
    expect(r.stderr).toContain('openssl rand');
  });

  test.each([
    ['empty', ''],
    ['short', 'abc123abc123'],
    ['a known default', 'changemechangemechangemechangeme!'],
    ['too repetitive', 'abababababababababababababababababab'],
  ])('with a %s secret', (_what, secret) => {
    const r = trellis(['serve', clinicalTrialsDir], {
      TRELLIS_SESSION_SECRET: secret,
      TRELLIS_DATA_DIR: tempDir(),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/TRELLIS_SESSION_SECRET: /);
  });

  test('in production with no admin, saying how to create one; starts once there is one', async () => {
    const dataDir = tempDir();
    const env = { NODE_ENV: 'production', TRELLIS_SESSION_SECRET: TEST_SECRET, TRELLIS_DATA_DIR: dataDir };
    const r = trellis(['serve', clinicalTrialsDir], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('No admin exists yet');
    expect(r.stderr).toContain('trellis user add --email you@example.com --org SLUG --role admin');
    expect(trellis(['org', 'add', 'main'], env).status).toBe(0);
    expect(
      trellis(
        ['user', 'add', '--email', 'root@example.com', '--org', 'main', '--role', 'admin'],
        env,
        'a long admin password\n',
      ).status,
    ).toBe(0);
    const server = await startServe([clinicalTrialsDir], env);
    await server.stop();
  });

  test('demo mode under NODE_ENV=production', () => {
    const r = trellis(['serve', '--demo', clinicalTrialsDir], {
      NODE_ENV: 'production',
      TRELLIS_DATA_DIR: tempDir(),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('demo mode is refused under NODE_ENV=production');
    const link = trellis(['demo', 'link', clinicalTrialsDir], {
      NODE_ENV: 'production',
      TRELLIS_DATA_DIR: tempDir(),
    });
    expect(link.status).toBe(1);
  });
});

describe('demo mode', () => {
  test('creates the demo accounts, prints a one-time link that signs in the first admin; `demo link` mints another', async () => {
    const dataDir = tempDir();
    const env = { TRELLIS_DATA_DIR: dataDir };
    const server = await startServe(['--demo', clinicalTrialsDir], env);
    try {
      const printed = (await server.waitFor(/(http:\/\/\S+\/login\/link\?token=[A-Za-z0-9_-]{43})/))[1];
      expect(printed?.startsWith(server.url)).toBe(true);
      const first = await fetch(printed as string, { redirect: 'manual' });
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/');
      const cookie = first.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const me = await fetch(`${server.url}/api/v1/session`, { headers: { cookie } });
      expect(await me.json()).toMatchObject({
        user: { email: 'admin@atlas.example' },
        organisation: { slug: 'atlas' },
        role: 'admin',
      });
      // Single use.
      expect((await fetch(printed as string, { redirect: 'manual' })).status).toBe(401);
      // The dashboards are usable with that session.
      expect((await fetch(`${server.url}/api/v1/dashboards`, { headers: { cookie } })).status).toBe(200);

      const again = trellis(['demo', 'link', clinicalTrialsDir], { ...env, PORT: new URL(server.url).port });
      expect(again.status).toBe(0);
      const fresh = again.stdout.trim();
      expect(fresh).toMatch(new RegExp(`^${server.url}/login/link\\?token=[A-Za-z0-9_-]{43}$`));
      expect((await fetch(fresh, { redirect: 'manual' })).status).toBe(303);
      // The demo organisations and users exist; none has a usable (known) password.
      const list = trellis(['user', 'list'], env).stdout;
      for (const email of ['admin@atlas.example', 'viewer@atlas.example', 'editor@beacon.example'])
        expect(list).toContain(email);
    } finally {
      await server.stop();
    }
    // A restart creates nothing twice.
    const restarted = await startServe(['--demo', clinicalTrialsDir], env);
    await restarted.stop();
    expect(trellis(['org', 'list'], env).stdout).toBe('atlas\tAtlas Research\nbeacon\tBeacon Health\n');
  });
});
