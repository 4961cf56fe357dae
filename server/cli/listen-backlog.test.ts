import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { clinicalTrialsDir, requireExampleData } from '../../test/paths.js';
import { startServe, TEST_SECRET } from '../../test/serve-process.js';

// The built CLI listens with TRELLIS_LISTEN_BACKLOG: Linux shows a listening socket's backlog as
// its Send-Q in `ss -ltn`. (Node's default, 511, overflowed under bursts of new connections.)
const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-backlog-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
beforeAll(() => requireExampleData());

/** The backlog of the socket listening on `port`, as the kernel reports it. */
function backlogOf(port: string): number {
  const r = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const fields = r.stdout.trim().split(/\s+/);
  // State Recv-Q Send-Q Local Peer: for LISTEN, Send-Q is the backlog.
  expect(fields[0]).toBe('LISTEN');
  return Number(fields[2]);
}

/** The kernel caps every backlog at net.core.somaxconn (4096 since Linux 5.4). */
const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());

test('serve listens with the configured backlog (and 4096 by default)', async () => {
  for (const [env, expected] of [
    [{ TRELLIS_LISTEN_BACKLOG: '321' }, 321],
    [{}, Math.min(4096, somaxconn)],
  ] as const) {
    const server = await startServe([clinicalTrialsDir], {
      TRELLIS_SESSION_SECRET: TEST_SECRET,
      TRELLIS_DATA_DIR: dataDir,
      ...env,
    });
    try {
      expect(backlogOf(new URL(server.url).port)).toBe(expected);
    } finally {
      await server.stop();
    }
  }
});
