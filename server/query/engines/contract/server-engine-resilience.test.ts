import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { serviceGate } from '../../../../test/test-services.js';
import { TcpProxy, targetOf } from '../../../../test/tcp-proxy.js';
import { TrellisError } from '../../../errors.js';
import type { Engine, RunOptions } from '../../engine.js';
import { openEngine } from '../index.js';
import { outcome } from '../../../../test/outcome.js';

/**
 * What the database-server engines do when the network or the server misbehaves, tested through a TCP
 * proxy in front of the real server: retries of transient connection failures, replacement of severed
 * connections, SOURCE_UNAVAILABLE while the server is away and recovery when it returns, the acquire
 * and idle timeouts. DuckDB is not here: it is embedded, with no connection to lose.
 */
const SERVERS = [
  {
    type: 'postgres',
    gate: await serviceGate('postgres', 'PostgreSQL engine pool/retry/outage tests'),
    defaultPort: 5432,
    sleep: (s: number) => `SELECT pg_sleep(${s})`,
  },
  {
    type: 'mysql',
    gate: await serviceGate('mysql', 'MariaDB engine pool/retry/outage tests'),
    defaultPort: 3306,
    sleep: (s: number) => `SELECT SLEEP(${s})`,
  },
] as const;

const LIMITS: RunOptions = { timeoutMs: 10_000, maxRows: 100, maxBytes: 100_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const server of SERVERS) {
  describe.runIf(server.gate.available)(`${server.gate.label} engine: pool, retries and outages`, () => {
    let proxy: TcpProxy;
    const engines: Engine[] = [];

    beforeEach(async () => {
      proxy = await TcpProxy.start(targetOf(server.gate.url, server.defaultPort));
    });
    afterEach(async () => {
      await Promise.all(engines.splice(0).map((e) => e.close()));
      await proxy.stop();
    });

    const open = async (
      pool: { size?: number; acquire_timeout?: string; idle_timeout?: string } = {},
      statement_timeout?: string,
    ) => {
      const engine = await openEngine(
        {
          type: server.type,
          url_env: 'SOURCE_URL',
          pool: {
            size: pool.size ?? 2,
            queue: 10,
            acquire_timeout: pool.acquire_timeout ?? '2s',
            idle_timeout: pool.idle_timeout ?? '30s',
          },
          ...(statement_timeout ? { statement_timeout } : {}),
        },
        '.',
        { SOURCE_URL: proxy.rewrite(server.gate.url) },
      );
      engines.push(engine);
      return engine;
    };
    const select1 = (engine: Engine) => engine.run({ sql: 'SELECT 1', params: [] }, LIMITS);

    test('transient connection failures are retried with backoff, then succeed', async () => {
      proxy.refuse(2);
      const started = performance.now();
      const engine = await open();
      expect(proxy.accepted).toBe(3);
      // Two waits of 50–100 ms and 100–200 ms (equal jitter), not a hot loop.
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
      expect((await select1(engine)).rows).toEqual([[1]]);
    });

    test('a failure that outlasts the retries is SOURCE_UNAVAILABLE after exactly 3 attempts', async () => {
      proxy.refuse(10);
      const err = await open().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TrellisError);
      expect((err as TrellisError).code).toBe('SOURCE_UNAVAILABLE');
      expect(proxy.accepted).toBe(3);
    });

    test('connections severed while idle (a server restart) are replaced: the next query just works', async () => {
      const engine = await open({ size: 2 });
      await Promise.all([select1(engine), select1(engine)]);
      const before = proxy.accepted;
      proxy.severAll();
      await sleep(50);
      expect(await Promise.all([outcome(select1(engine)), outcome(select1(engine))])).toEqual(['ok', 'ok']);
      expect(proxy.accepted).toBeGreaterThan(before);
    });

    test('a connection lost mid-statement is SOURCE_UNAVAILABLE (never retried); the engine recovers', async () => {
      const engine = await open({ size: 1 });
      const pending = outcome(engine.run({ sql: server.sleep(5), params: [] }, LIMITS));
      await sleep(200);
      proxy.severAll();
      expect(await pending).toBe('SOURCE_UNAVAILABLE');
      expect(await outcome(select1(engine))).toBe('ok');
    });

    test('a server that goes away is SOURCE_UNAVAILABLE quickly; when it returns, queries work again', async () => {
      const engine = await open();
      await proxy.stop();
      const started = performance.now();
      expect(await outcome(select1(engine))).toBe('SOURCE_UNAVAILABLE');
      expect(await outcome(engine.ping())).toBe('SOURCE_UNAVAILABLE');
      expect(performance.now() - started).toBeLessThan(2_000);
      await proxy.restart();
      expect(await outcome(select1(engine))).toBe('ok');
    });

    test('waiting longer than acquire_timeout for a slot is SOURCE_BUSY', async () => {
      const engine = await open({ size: 1, acquire_timeout: '200ms' });
      const controller = new AbortController();
      const blocker = outcome(
        engine.run({ sql: server.sleep(5), params: [] }, { ...LIMITS, signal: controller.signal }),
      );
      const started = performance.now();
      expect(await outcome(select1(engine))).toBe('SOURCE_BUSY');
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
      expect(performance.now() - started).toBeLessThan(1_000);
      controller.abort();
      expect(await blocker).toBe('QUERY_CANCELLED');
    });

    test('idle connections are closed after idle_timeout', async () => {
      const engine = await open({ size: 3, idle_timeout: '300ms' });
      await Promise.all([1, 2, 3].map(() => engine.run({ sql: server.sleep(0.05), params: [] }, LIMITS)));
      expect(proxy.openConnections).toBeGreaterThanOrEqual(3);
      await sleep(900);
      expect(proxy.openConnections).toBe(0);
      expect(await outcome(select1(engine))).toBe('ok');
    });

    test('statement_timeout of the source caps the project query timeout', async () => {
      const engine = await open({}, '300ms');
      const started = performance.now();
      expect(await outcome(engine.run({ sql: server.sleep(5), params: [] }, LIMITS))).toBe('QUERY_TIMEOUT');
      expect(performance.now() - started).toBeLessThan(1_500);
    });

    test('closing the engine stops its running statements', async () => {
      const engine = await open({ size: 1 });
      const pending = outcome(engine.run({ sql: server.sleep(5), params: [] }, LIMITS));
      await sleep(200);
      const started = performance.now();
      await engine.close();
      expect(await pending).toBe('SOURCE_UNAVAILABLE');
      expect(performance.now() - started).toBeLessThan(2_500);
      expect(await outcome(select1(engine))).toBe('SOURCE_UNAVAILABLE');
    });
  });
}
