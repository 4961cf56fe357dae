import { Redis } from 'ioredis';

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export type RedisGate =
  { readonly run: true } | { readonly run: false; readonly fail: boolean; readonly reason: string };

/**
 * Test support, imported only by the cache's *.test.ts files. Decides whether suites that need Redis
 * run: they run when it answers PING; otherwise under CI they must fail (a skipped suite is never a
 * pass), and elsewhere they are skipped with one loud line saying what was skipped and how to enable it.
 */
export async function redisTestGate(url: string, ci: boolean, what: string): Promise<RedisGate> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let socketError: string | undefined;
  probe.on('error', (err: Error) => (socketError ??= err.message)); // reported below, once
  let reason: string | undefined;
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    reason = `Redis at ${url} is unreachable (${socketError ?? (err instanceof Error ? err.message : String(err))})`;
  } finally {
    probe.disconnect();
  }
  if (reason === undefined) return { run: true };
  if (ci) return { run: false, fail: true, reason: `${reason}; CI=true requires it for ${what}` };
  console.warn(
    `\n⚠ SKIPPED ${what}: ${reason}. Start it with ` +
      `\`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\` ` +
      `or set TRELLIS_TEST_REDIS_URL.\n`,
  );
  return { run: false, fail: false, reason };
}
