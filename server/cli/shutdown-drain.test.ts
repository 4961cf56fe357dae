import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createMiniProject } from '../../test/mini-project.js';
import { startServe, TEST_SECRET } from '../../test/serve-process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-drain-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** One GET on a kept-alive connection: status and the Connection header, or the socket error. */
function get(
  agent: http.Agent,
  url: string,
): Promise<{ status: number; connection: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: String(res.headers.connection) }),
      );
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

// The built CLI: what a SIGTERM'd instance does while a load balancer is still sending it traffic.
describe('shutdown on SIGTERM drains first', () => {
  test('not ready, still serving and closing each connection after its response; then it stops', async () => {
    const mini = await createMiniProject();
    const serve = await startServe([mini.dir], {
      TRELLIS_SESSION_SECRET: TEST_SECRET,
      TRELLIS_DATA_DIR: dataDir,
      TRELLIS_SHUTDOWN_DRAIN: '2',
      LOG_LEVEL: 'info',
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await get(agent, `${serve.url}/readyz`);
      expect(before).toEqual({ status: 200, connection: 'keep-alive' });
      const stopped = serve.stop(); // SIGTERM
      await serve.waitFor(/draining/);
      // A request on the kept-alive connection is answered, and the connection closed after it.
      expect(await get(agent, `${serve.url}/healthz`)).toEqual({ status: 200, connection: 'close' });
      // Load balancers see it leave: not ready.
      expect(await get(agent, `${serve.url}/readyz`)).toMatchObject({ status: 503, connection: 'close' });
      await stopped;
      // After the drain it no longer listens: a balancer's connection attempt is refused (and retried elsewhere).
      expect(await get(agent, `${serve.url}/healthz`)).toEqual({ error: 'ECONNREFUSED' });
    } finally {
      agent.destroy();
      await serve.stop();
    }
  }, 60_000);
});
