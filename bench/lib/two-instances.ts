import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SEED, startServer } from './server-process.js';
import type { BenchServer } from './with-server.js';

/**
 * Two production servers of one project, as a deployment behind a load balancer runs them: one
 * metadata store (a temporary SQLite file both open), one session secret (a session or CSRF token
 * from one verifies on the other), one Redis with a namespace of its own for this run (so the
 * cache starts empty, and no other run's entries are read). Started one after the other (the
 * second finds the seeded accounts, with the same password).
 */
export async function withTwoInstances<T>(
  projectDir: string,
  redisUrl: string,
  fn: (servers: readonly [BenchServer, BenchServer]) => Promise<T>,
  options: { profile?: boolean } = {},
): Promise<T> {
  await assertReachable(redisUrl);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-pair-'));
  const env = {
    TRELLIS_DATA_DIR: dataDir,
    TRELLIS_SESSION_SECRET: randomBytes(32).toString('base64url'),
    TRELLIS_REDIS_URL: redisUrl,
    TRELLIS_CACHE_NAMESPACE: `bench-${randomBytes(6).toString('hex')}`,
  };
  const seed = { ...DEFAULT_SEED, password: randomBytes(24).toString('base64url') };
  const started: BenchServer[] = [];
  try {
    // A deployment's instances: they drain on SIGTERM as configured (the shutdown scenario's subject).
    started.push(await startServer(projectDir, { env, seed, profile: options.profile, drainOnStop: true }));
    started.push(await startServer(projectDir, { env, seed, drainOnStop: true }));
    return await fn([started[0] as BenchServer, started[1] as BenchServer]);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A clear refusal instead of two servers that silently fall back to their own memory caches. */
async function assertReachable(redisUrl: string): Promise<void> {
  const url = new URL(redisUrl);
  const port = Number(url.port || 6379);
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`Redis at ${url.host} is not reachable (${why}); set BENCH_REDIS_URL`));
    };
    socket.once('timeout', () => fail('timeout'));
    socket.once('error', (err) => fail(err.message));
  });
}
