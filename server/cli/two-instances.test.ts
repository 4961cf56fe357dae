import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMiniProject } from '../../test/mini-project.js';
import { startServe, TEST_SECRET, type ServeProcess } from '../../test/serve-process.js';
import { storeTargets } from '../../test/store-targets.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { AccountsService } from '../auth/accounts.service.js';

// Two `trellis serve` PROCESSES sharing one metadata store: what one instance revokes, the other
// refuses on the very next request (sessions are read from the store per request, never cached).
const targets = await storeTargets('the two-process session test on a PostgreSQL metadata store');
const PASSWORD = 'correct horse battery staple';

describe.each(targets)('two server processes on one $name store', (target) => {
  let a: ServeProcess;
  let b: ServeProcess;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const mini = await createMiniProject();
    const opened = await target.open();
    dispose = opened.dispose;
    const accounts = new AccountsService(opened.store);
    await accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
    await accounts.createUser(
      { email: 'ann@example.com', password: PASSWORD, organisation: 'acme', role: 'admin' },
      CLI_CONTEXT,
    );
    const env: Record<string, string> = { TRELLIS_SESSION_SECRET: TEST_SECRET };
    if (opened.config.kind === 'sqlite') env.TRELLIS_DATA_DIR = path.dirname(opened.config.file);
    else env.TRELLIS_METADATA_URL = opened.config.url;
    [a, b] = await Promise.all([startServe([mini.dir], env), startServe([mini.dir], env)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await dispose?.();
  });

  test('logout on A is rejected on B on the next request', async () => {
    expect(a.url).not.toBe(b.url);
    const login = await fetch(`${a.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ann@example.com', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    // The same secret on both: B accepts A's CSRF token for A's session.
    const onB = await fetch(`${b.url}/api/v1/session`, { headers: { cookie } });
    expect(onB.status).toBe(200);
    expect(((await onB.json()) as { csrfToken: string }).csrfToken).toBe(csrfToken);

    const out = await fetch(`${a.url}/api/v1/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.status).toBe(204);
    const after = await fetch(`${b.url}/api/v1/session`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: string }).error).toBe('UNAUTHENTICATED');
  });

  test('a session revoked through B’s "sign out everywhere else" is refused on A at once', async () => {
    const signIn = async (url: string) => {
      const r = await fetch(`${url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ann@example.com', password: PASSWORD }),
      });
      return {
        cookie: r.headers.getSetCookie()[0]?.split(';')[0] ?? '',
        csrf: ((await r.json()) as { csrfToken: string }).csrfToken,
      };
    };
    const onA = await signIn(a.url);
    const onB = await signIn(b.url);
    expect((await fetch(`${a.url}/api/v1/session`, { headers: { cookie: onA.cookie } })).status).toBe(200);
    const r = await fetch(`${b.url}/api/v1/session/sessions`, {
      method: 'DELETE',
      headers: { cookie: onB.cookie, 'x-csrf-token': onB.csrf },
    });
    expect(r.status).toBe(204);
    expect((await fetch(`${a.url}/api/v1/session`, { headers: { cookie: onA.cookie } })).status).toBe(401);
    expect((await fetch(`${a.url}/api/v1/session`, { headers: { cookie: onB.cookie } })).status).toBe(200);
  });
});
