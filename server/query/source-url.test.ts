import { expect, test } from 'vitest';
import { TrellisError } from '../errors.js';
import { resolveSourceUrl, serverKindOfUrl } from './source-url.js';

function failure(fn: () => unknown): TrellisError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TrellisError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

test('the URL comes from the named variable; messages show host, port and database only', () => {
  const env = { WAREHOUSE_URL: 'postgres://reader:s3cret@db.internal/sales' };
  expect(resolveSourceUrl('WAREHOUSE_URL', env, ['postgres:', 'postgresql:'], 5432)).toEqual({
    url: env.WAREHOUSE_URL,
    target: 'db.internal:5432/sales',
  });
});

test('a missing or empty variable is SOURCE_UNAVAILABLE naming the variable', () => {
  for (const env of [{}, { WAREHOUSE_URL: ' ' }] as Record<string, string>[]) {
    const err = failure(() => resolveSourceUrl('WAREHOUSE_URL', env, ['mysql:'], 3306));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.message).toBe(
      'environment variable WAREHOUSE_URL (url_env) is not set; it should hold a mysql:// connection URL',
    );
  }
});

test('a value that is not a URL of the right kind is refused without echoing it (it may hold a password)', () => {
  const bad = failure(() => resolveSourceUrl('U', { U: 'host=db password=s3cret' }, ['postgres:'], 5432));
  expect(bad.message).toBe('environment variable U (url_env) does not hold a valid URL');
  const wrong = failure(() =>
    resolveSourceUrl('U', { U: 'mysql://u:s3cret@db/x' }, ['postgres:', 'postgresql:'], 5432),
  );
  expect(wrong.message).toBe(
    'environment variable U (url_env) holds a mysql:// URL; expected postgres:// or postgresql://',
  );
  expect(wrong.message).not.toContain('s3cret');
});

test('server_url_env: the scheme picks the server; unset or empty keeps the file', () => {
  const kind = (value?: string) => serverKindOfUrl('VM_URL', value === undefined ? {} : { VM_URL: value });
  expect(kind()).toBeUndefined();
  expect(kind('')).toBeUndefined();
  expect(kind('  ')).toBeUndefined();
  expect(kind('postgres://u:p@db/x')).toBe('postgres');
  expect(kind('postgresql://db:5433/x?sslmode=require')).toBe('postgres');
  expect(kind('mysql://root@127.0.0.1:3306/test')).toBe('mysql');
  expect(kind('mariadb://root@127.0.0.1/test')).toBe('mysql');
});

test('server_url_env: a value that is set but not a server URL is refused, never echoed, never ignored', () => {
  const bad = failure(() => serverKindOfUrl('VM_URL', { VM_URL: 'host=db password=s3cret' }));
  expect(bad.code).toBe('SOURCE_UNAVAILABLE');
  expect(bad.message).toBe('environment variable VM_URL (server_url_env) does not hold a valid URL');
  const wrong = failure(() => serverKindOfUrl('VM_URL', { VM_URL: 'https://u:s3cret@db/x' }));
  expect(wrong.code).toBe('SOURCE_UNAVAILABLE');
  expect(wrong.message).toBe(
    'environment variable VM_URL (server_url_env) holds a https:// URL; expected postgres://, postgresql://, mysql://, mariadb://',
  );
  expect(wrong.message).not.toContain('s3cret');
});
