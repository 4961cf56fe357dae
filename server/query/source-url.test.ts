import { expect, test } from 'vitest';
import { TrellisError } from '../errors.js';
import { resolveSourceUrl } from './source-url.js';

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
