import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type ServerProcess } from '../../bench/lib/server-process.js';
import { createMiniProject } from '../../test/mini-project.js';
import { repoRoot } from '../../test/paths.js';
import { sessionCookie, TEST_PASSWORD } from '../../test/login-as.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { AccountsService } from '../auth/accounts.service.js';
import { openStore } from '../store/store.js';
import { DEFAULT_TEST_REDIS_URL, redisTestGate } from '../../test/redis-test-gate.js';

/**
 * Two real server processes (the built bin, as deployed) on two ports, sharing one Redis: a stampede of
 * identical cold requests spread over both runs the statement once in total, and what one instance
 * stored the other serves.
 */
const redisUrl = process.env.TRELLIS_TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL;
const gate = await redisTestGate(redisUrl, process.env.CI === 'true', 'the two-instance shared cache test');

describe('two instances sharing Redis', () => {
  if (!gate.run && gate.fail) {
    const reason = gate.reason;
    test('needs a reachable Redis under CI', () => {
      throw new Error(reason);
    });
  }

  describe.runIf(gate.run)('coalescing across processes', () => {
    const servers: ServerProcess[] = [];
    // Both instances share one metadata store (as they would in production): one sign-in works on both.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-two-instances-'));
    let cookie = '';
    let csrf = '';

    beforeAll(async () => {
      if (!existsSync(path.join(repoRoot, 'dist', 'server', 'main.js')))
        throw new Error('dist/ is missing: run "npm test" (it builds first) or "npm run build"');
      const mini = await createMiniProject();
      const store = await openStore({ kind: 'sqlite', file: path.join(dataDir, 'meta.sqlite') });
      try {
        const accounts = new AccountsService(store);
        await accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
        await accounts.createUser(
          { email: 'viewer@acme.test', password: TEST_PASSWORD, organisation: 'acme', role: 'viewer' },
          CLI_CONTEXT,
        );
        // Production refuses to start without an admin; made here, before either server starts.
        await accounts.createUser(
          { email: 'admin@acme.test', password: TEST_PASSWORD, organisation: 'acme', role: 'admin' },
          CLI_CONTEXT,
        );
      } finally {
        await store.close();
      }
      const env = {
        TRELLIS_DATA_DIR: dataDir,
        TRELLIS_REDIS_URL: redisUrl,
        // Instances behind one proxy share the secret, or a CSRF token minted by one fails on the other.
        TRELLIS_SESSION_SECRET: randomBytes(32).toString('base64url'),
        TRELLIS_CACHE_NAMESPACE: `test-${randomUUID()}`,
        // The whole suite shares 2 cores: a starved event loop can see a Redis reply only after the
        // default 1 s timeout fired, and then (correctly) serve without the cache. That degraded path
        // is tested in cached-query.test.ts; here the coalescing itself is under test.
        TRELLIS_CACHE_COMMAND_TIMEOUT: '10s',
      };
      // One after the other: both would migrate and check the shared SQLite file at the same moment.
      for (let i = 0; i < 2; i++) servers.push(await startServer(mini.dir, { env }));
      const login = await fetch(`${servers[0]?.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'viewer@acme.test', password: TEST_PASSWORD }),
      });
      if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
      cookie = sessionCookie(login.headers.get('set-cookie') ?? undefined);
      csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
      // Warm each process (JIT, engine and Redis connections) on another widget first.
      for (const server of servers)
        for (let i = 0; i < 5; i++)
          await fetch(`${server.url}/api/v1/dashboards/main/widgets/total/data`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
            body: JSON.stringify({ filters: { price: { min: i } } }),
          }).then((r) => r.arrayBuffer());
    }, 60_000);
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.stop()));
      rmSync(dataDir, { recursive: true, force: true });
    });

    const executions = async (server: ServerProcess) => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith('trellis_query_executions_total{'))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    };
    const total = async () => (await Promise.all(servers.map(executions))).reduce((a, b) => a + b, 0);
    const post = (server: ServerProcess, body: unknown) =>
      fetch(`${server.url}/api/v1/dashboards/main/widgets/by_colour/data`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      });

    test('500 identical cold requests over both instances → exactly 1 execution, 0 errors', async () => {
      const before = await total();
      const body = { filters: { colour: ['green', 'blue'] } };
      const responses = await Promise.all(
        Array.from({ length: 500 }, (_, i) => post(servers[i % 2] as ServerProcess, body)),
      );
      const bodies = await Promise.all(responses.map((r) => r.json()));
      expect(responses.filter((r) => r.status !== 200)).toHaveLength(0);
      const kinds = bodies.map((b) => b.meta.cache).join(',');
      expect((await total()) - before, `cache results: ${kinds}`).toBe(1);
      const rows = JSON.stringify(bodies[0].rows);
      expect(bodies.every((b) => JSON.stringify(b.rows) === rows)).toBe(true);
      expect(bodies.filter((b) => b.meta.cache === 'miss')).toHaveLength(1);
    }, 60_000);

    test('the other instance reads the entry the first one stored', async () => {
      const [a, b] = servers as [ServerProcess, ServerProcess];
      const body = { filters: { colour: ['red'] } };
      const first = await (await post(a, body)).json();
      const second = await (await post(b, body)).json();
      expect(first.meta.cache).toBe('miss');
      expect(second.meta.cache).toBe('hit');
      expect(second.meta.asOf).toBe(first.meta.asOf);
    });
  });
});
