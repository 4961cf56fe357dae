import { describe, expect, test } from 'vitest';
import { TrellisError } from '../errors.js';
import { ConnectionPool, type PoolDriver } from './connection-pool.js';

interface FakeConnection {
  readonly id: number;
  alive: boolean;
  pingFails: boolean;
  closed: boolean;
}

/** A driver over fake connections that records what the pool did with them. */
function fakeDriver(options: { failOpens?: number; transient?: boolean } = {}) {
  let opened = 0;
  let failures = options.failOpens ?? 0;
  const pinged: number[] = [];
  const driver: PoolDriver<FakeConnection> = {
    async open() {
      if (failures > 0) {
        failures--;
        throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      }
      return { id: ++opened, alive: true, pingFails: false, closed: false };
    },
    async ping(conn) {
      pinged.push(conn.id);
      if (conn.pingFails) throw new Error('gone');
    },
    close(conn) {
      conn.closed = true;
    },
    isAlive: (conn) => conn.alive,
    isTransient: () => options.transient ?? true,
  };
  return { driver, pinged, opened: () => opened };
}

const settings = {
  maxIdle: 2,
  idleTimeoutMs: 60_000,
  validateAfterMs: 60_000,
  pingTimeoutMs: 100,
  retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
};

describe('ConnectionPool', () => {
  test('reuses the most recently returned connection; keeps at most maxIdle', async () => {
    const fake = fakeDriver();
    const pool = new ConnectionPool(fake.driver, settings);
    const [a, b, c] = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    if (!a || !b || !c) throw new Error('no connections');
    expect(pool.size).toBe(3);
    pool.release(a);
    pool.release(b);
    pool.release(c); // a third idle one is over maxIdle: closed
    expect(c.closed).toBe(true);
    expect(pool.idleCount).toBe(2);
    expect((await pool.acquire()).id).toBe(b.id);
    pool.close();
  });

  test('broken and discarded connections are closed, never handed out again', async () => {
    const fake = fakeDriver();
    const pool = new ConnectionPool(fake.driver, settings);
    const a = await pool.acquire();
    const b = await pool.acquire();
    pool.release(a, true);
    expect(a.closed).toBe(true);
    pool.release(b);
    b.alive = false; // died while idle (the driver saw an error or an end)
    const c = await pool.acquire();
    expect(b.closed).toBe(true);
    expect(c.id).toBe(3);
    pool.close();
  });

  test('a connection idle past validateAfterMs is pinged first; a failed ping replaces it', async () => {
    const fake = fakeDriver();
    const pool = new ConnectionPool(fake.driver, { ...settings, validateAfterMs: 0 });
    const a = await pool.acquire();
    pool.release(a);
    expect((await pool.acquire()).id).toBe(a.id);
    expect(fake.pinged).toEqual([a.id]);
    pool.release(a);
    a.pingFails = true;
    const b = await pool.acquire();
    expect(b.id).not.toBe(a.id);
    expect(a.closed).toBe(true);
    pool.close();
  });

  test('opening retries transient failures, and gives up after the attempts', async () => {
    const flaky = fakeDriver({ failOpens: 2 });
    const pool = new ConnectionPool(flaky.driver, settings);
    expect((await pool.acquire()).id).toBe(1);
    pool.close();
    const down = fakeDriver({ failOpens: 5 });
    await expect(new ConnectionPool(down.driver, settings).acquire()).rejects.toThrow('refused');
    const bad = fakeDriver({ failOpens: 1, transient: false });
    await expect(new ConnectionPool(bad.driver, settings).acquire()).rejects.toThrow('refused');
  });

  test('idle connections are closed after idleTimeoutMs', async () => {
    const fake = fakeDriver();
    const pool = new ConnectionPool(fake.driver, { ...settings, idleTimeoutMs: 60 });
    const a = await pool.acquire();
    pool.release(a);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(a.closed).toBe(true);
    expect(pool.size).toBe(0);
    pool.close();
  });

  test('after close: idle connections are closed, lent ones on return, and acquire is refused', async () => {
    const fake = fakeDriver();
    const pool = new ConnectionPool(fake.driver, settings);
    const a = await pool.acquire();
    const b = await pool.acquire();
    pool.release(a);
    pool.close();
    expect(a.closed).toBe(true);
    pool.release(b);
    expect(b.closed).toBe(true);
    const err = await pool.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrellisError);
    expect((err as TrellisError).code).toBe('SOURCE_UNAVAILABLE');
  });
});
