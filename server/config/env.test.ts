import { expect, test } from 'vitest';
import { ConfigError, parseEnv, weakSecret } from './env.js';

test('the environment snapshot (for url_env references) is a frozen copy taken at start', () => {
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'test', WAREHOUSE_URL: 'postgres://db/x' };
  const config = parseEnv(env);
  env.WAREHOUSE_URL = 'changed later';
  expect(config.environment.WAREHOUSE_URL).toBe('postgres://db/x');
  expect(Object.isFrozen(config.environment)).toBe(true);
});

test('metadata store and session settings: SQLite under the data dir by default, PostgreSQL by URL', () => {
  const plain = parseEnv({ NODE_ENV: 'test', TRELLIS_DATA_DIR: '/var/lib/trellis' });
  expect(plain.store).toEqual({ kind: 'sqlite', file: '/var/lib/trellis/meta.sqlite' });
  expect(plain.sessions).toMatchObject({
    idleMs: 30 * 60_000,
    absoluteMs: 12 * 3_600_000,
    secureCookie: false,
    maxFailuresPerAccount: 10,
    failureWindowMs: 15 * 60_000,
  });
  const pg = parseEnv({
    NODE_ENV: 'test',
    TRELLIS_METADATA_URL: 'postgres://trellis@db/meta',
    TRELLIS_PUBLIC_URL: 'https://dash.example.com',
    TRELLIS_TRUST_PROXY: '1',
  });
  expect(pg.store).toEqual({ kind: 'postgres', url: 'postgres://trellis@db/meta' });
  expect(pg.sessions.secureCookie).toBe(true);
  expect(pg.trustProxy).toBe(1);
  expect(() => parseEnv({ TRELLIS_METADATA_URL: 'mysql://x' })).toThrow(/TRELLIS_METADATA_URL/);
  expect(() => parseEnv({ TRELLIS_LOGIN_MAX_FAILURES: '11' })).toThrow(/TRELLIS_LOGIN_MAX_FAILURES/);
  expect(() => parseEnv({ TRELLIS_SESSION_IDLE: '13h' })).toThrow(/TRELLIS_SESSION_IDLE/);
});

test('TRELLIS_SESSION_SECRET: at least 32 bytes, not a known default, not repetitive; unset = random per process', () => {
  const good = 'k7Qp2v9XzL4mN8rT1wY6bC3dF5gH0jKa';
  expect(weakSecret(good)).toBeNull();
  expect(parseEnv({ TRELLIS_SESSION_SECRET: good }).sessions).toMatchObject({
    secret: good,
    secretFromEnv: true,
  });
  for (const bad of [
    '',
    'short',
    'changeme'.repeat(4),
    'secret-secret-secret-secret-secret',
    'x'.repeat(64),
    'abcabcabcabcabcabcabcabcabcabcabcabc',
  ]) {
    expect(weakSecret(bad), bad).not.toBeNull();
    expect(() => parseEnv({ TRELLIS_SESSION_SECRET: bad })).toThrow(ConfigError);
  }
  const unset = parseEnv({}).sessions;
  expect(unset.secretFromEnv).toBe(false);
  expect(unset.secret).not.toBe(parseEnv({}).sessions.secret);
});

test('TRELLIS_PUBLIC_URL gives the origin CSRF checks compare against', () => {
  expect(parseEnv({ TRELLIS_PUBLIC_URL: 'https://dash.example.org/trellis/' }).publicOrigin).toBe(
    'https://dash.example.org',
  );
  expect(parseEnv({}).publicOrigin).toBeUndefined();
});

test('listen backlog and the bound on argon2 work: defaults from the libuv pool, each settable, bad values refused', () => {
  const plain = parseEnv({ NODE_ENV: 'test' });
  expect(plain.listenBacklog).toBe(4096);
  // libuv's own default pool (4 threads): half for argon2; bin/trellis.js's 8: 4.
  expect(plain.passwords).toMatchObject({ concurrency: 2, maxQueued: 100 });
  expect(parseEnv({ UV_THREADPOOL_SIZE: '8' }).passwords.concurrency).toBe(4);
  expect(parseEnv({ UV_THREADPOOL_SIZE: '1' }).passwords.concurrency).toBe(1);
  const set = parseEnv({
    TRELLIS_LISTEN_BACKLOG: '1024',
    TRELLIS_PASSWORD_CONCURRENCY: '3',
    TRELLIS_PASSWORD_QUEUE: '0',
    UV_THREADPOOL_SIZE: '8',
  });
  expect(set.listenBacklog).toBe(1024);
  expect(set.passwords).toMatchObject({ concurrency: 3, maxQueued: 0 });
  expect(() => parseEnv({ TRELLIS_LISTEN_BACKLOG: '0' })).toThrow(/TRELLIS_LISTEN_BACKLOG/);
  expect(() => parseEnv({ TRELLIS_PASSWORD_CONCURRENCY: '0' })).toThrow(/TRELLIS_PASSWORD_CONCURRENCY/);
  expect(() => parseEnv({ TRELLIS_PASSWORD_QUEUE: 'many' })).toThrow(/TRELLIS_PASSWORD_QUEUE/);
});
