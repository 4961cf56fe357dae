import { expect, test } from 'vitest';
import { parseEnv } from './env.js';

test('the environment snapshot (for url_env references) is a frozen copy taken at start', () => {
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'test', WAREHOUSE_URL: 'postgres://db/x' };
  const config = parseEnv(env);
  env.WAREHOUSE_URL = 'changed later';
  expect(config.environment.WAREHOUSE_URL).toBe('postgres://db/x');
  expect(Object.isFrozen(config.environment)).toBe(true);
});
