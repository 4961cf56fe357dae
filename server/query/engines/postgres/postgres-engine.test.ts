import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { trellisFailure } from '../../../../test/outcome.js';
import { serviceGate } from '../../../../test/test-services.js';
import type { Engine, RunOptions } from '../../engine.js';
import { openPostgres } from './index.js';
import { isConnectionError, isTransientConnectError } from './postgres-engine.js';

/**
 * What is particular to PostgreSQL; what every engine owes is in ../contract/. Needs the local server
 * (TRELLIS_TEST_PG_URL).
 */
const pg = await serviceGate('postgres', 'PostgreSQL engine tests');
const limits: RunOptions = { timeoutMs: 4_000, maxRows: 100, maxBytes: 100_000 };

const failure = trellisFailure;

describe.runIf(pg.available)('PostgreSQL engine', () => {
  let engine: Engine;
  const type = `trellis_mood_${process.pid}`;

  beforeAll(async () => {
    engine = await openPostgres(
      {
        type: 'postgres',
        url_env: 'PG_URL',
        pool: { size: 2, queue: 10, acquire_timeout: '5s', idle_timeout: '30s' },
      },
      { PG_URL: pg.url },
    );
  });
  afterAll(async () => engine?.close());

  test('sessions run in UTC; DATE stays a date and timestamps read as ISO text', async () => {
    const r = await engine.run(
      {
        sql: `SELECT current_setting('TimeZone'), DATE '2020-03-29', TIMESTAMPTZ '2020-03-29 01:30:00+02',
                     TIMESTAMP '2020-03-29 01:30:00.250', 'infinity'::date`,
        params: [],
      },
      limits,
    );
    expect(r.rows).toEqual([['UTC', '2020-03-29', '2020-03-28T23:30:00', '2020-03-29T01:30:00.25', null]]);
  });

  test('BIGINT, NUMERIC and DOUBLE arrive as numbers; NaN and infinities as null', async () => {
    const r = await engine.run(
      {
        sql: "SELECT 42::int8, 1.50::numeric, 0.1::float8, 'NaN'::float8, 'Infinity'::numeric, true, NULL::int",
        params: [],
      },
      limits,
    );
    expect(r.rows).toEqual([[42, 1.5, 0.1, null, null, true, null]]);
  });

  test('describe reports enums as strings (by type category) and does not run the statement', async () => {
    await engine.run({ sql: `DROP TYPE IF EXISTS ${type}`, params: [] }, limits);
    await engine.run({ sql: `CREATE TYPE ${type} AS ENUM ('ok', 'sad')`, params: [] }, limits);
    try {
      const started = performance.now();
      const cols = await engine.describe({
        sql: `SELECT 'ok'::${type} AS mood, pg_sleep(5) AS slept, now() AS at, $1::date AS d, '{}'::jsonb AS j`,
        params: ['2020-01-01'],
      });
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(cols).toEqual([
        { name: 'mood', type: 'string', nativeType: type },
        { name: 'slept', type: undefined, nativeType: 'void' },
        { name: 'at', type: 'timestamp', nativeType: 'timestamptz' },
        { name: 'd', type: 'date', nativeType: 'date' },
        { name: 'j', type: undefined, nativeType: 'jsonb' },
      ]);
      const r = await engine.run({ sql: `SELECT 'sad'::${type}`, params: [] }, limits);
      expect(r.rows).toEqual([['sad']]);
    } finally {
      await engine.run({ sql: `DROP TYPE IF EXISTS ${type}`, params: [] }, limits);
    }
  });

  test('the server has its own statement_timeout, just past our deadline, as a backstop', async () => {
    const r = await engine.run(
      { sql: "SELECT current_setting('statement_timeout')", params: [] },
      { ...limits, timeoutMs: 4_000 },
    );
    expect(r.rows).toEqual([['5s']]);
  });

  test('one statement per call: a second one is refused, not run', async () => {
    const err = await failure(engine.run({ sql: 'SELECT 1; SELECT 2', params: [] }, limits));
    expect(err.code).toBe('QUERY_FAILED');
  });

  test('a bad statement is QUERY_FAILED: the driver message goes to the detail, not the message', async () => {
    const err = await failure(
      engine.run({ sql: 'SELECT * FROM no_such_table_anywhere', params: [] }, limits),
    );
    expect(err.code).toBe('QUERY_FAILED');
    expect(err.message).not.toContain('no_such_table');
    expect(err.detail).toMatchObject({
      code: '42P01',
      error: expect.stringContaining('no_such_table_anywhere'),
    });
  });

  test('a missing database is SOURCE_UNAVAILABLE, naming the target without the password', async () => {
    const url = new URL(pg.url);
    url.pathname = '/trellis_no_such_database';
    url.password = 'hunter2';
    const err = await failure(
      openPostgres(
        {
          type: 'postgres',
          url_env: 'PG_URL',
          pool: { size: 1, queue: 1, acquire_timeout: '2s', idle_timeout: '1s' },
        },
        { PG_URL: url.toString() },
      ),
    );
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.message).toContain('/trellis_no_such_database');
    expect(err.message).not.toContain('hunter2');
  });
});

describe('PostgreSQL error classification', () => {
  const e = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  test('retried when opening a connection: refused, reset, starting up, too many connections', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P03', '53300', '08006'])
      expect(isTransientConnectError(e(code)), code).toBe(true);
    expect(isTransientConnectError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });
  test('not retried: timeouts (that would only double the wait), bad credentials, statements', () => {
    for (const code of ['ETIMEDOUT', '28P01', '3D000', '42601', '57014'])
      expect(isTransientConnectError(e(code)), code).toBe(false);
  });
  test('the server is unavailable vs the statement failed', () => {
    for (const code of ['ETIMEDOUT', '28P01', '3D000', '57P01', 'ENOTFOUND'])
      expect(isConnectionError(e(code)), code).toBe(true);
    for (const code of ['42601', '42P01', '22P02', '57014'])
      expect(isConnectionError(e(code)), code).toBe(false);
  });
});
