import { expect, test } from 'vitest';
import { parseEnv } from './env.js';

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
