import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { trellisFailure } from '../../../../test/outcome.js';
import { serviceGate } from '../../../../test/test-services.js';
import type { Engine, RunOptions } from '../../engine.js';
import { mysqlDialect } from './mysql-dialect.js';
import { isConnectionError, isTransientConnectError } from './mysql-engine.js';
import { openMySQL } from './index.js';

/**
 * What is particular to MySQL/MariaDB; what every engine owes is in ../contract/. Needs the local
 * server (TRELLIS_TEST_MYSQL_URL).
 */
const my = await serviceGate('mysql', 'MariaDB engine tests');
const limits: RunOptions = { timeoutMs: 4_000, maxRows: 100, maxBytes: 100_000 };
const table = `trellis_mysql_${process.pid}`;

const failure = trellisFailure;

const source = (size: number) => ({
  type: 'mysql' as const,
  url_env: 'MYSQL_URL',
  pool: { size, queue: 10, acquire_timeout: '5s', idle_timeout: '30s' },
});

describe.runIf(my.available)('MySQL/MariaDB engine', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await openMySQL(source(2), { MYSQL_URL: my.url });
    await engine.run({ sql: `DROP TABLE IF EXISTS ${table}`, params: [] }, limits);
    await engine.run(
      {
        sql: `CREATE TABLE ${table} (flag BOOLEAN, raw VARBINARY(10), word VARCHAR(10), small TINYINT, at TIMESTAMP NULL)`,
        params: [],
      },
      limits,
    );
    await engine.run(
      {
        sql: `INSERT INTO ${table} VALUES (?, ?, ?, ?, ?)`,
        params: [true, 'ab', 'x', 7, '2020-03-29 01:30:00'],
      },
      limits,
    );
  });
  afterAll(async () => {
    await engine?.run({ sql: `DROP TABLE IF EXISTS ${table}`, params: [] }, limits);
    await engine?.close();
  });

  test('sessions run in UTC; DATE stays a date and DATETIME reads as ISO text', async () => {
    const r = await engine.run(
      {
        sql: "SELECT @@session.time_zone, DATE '2020-03-29', CAST('2020-03-29 01:30:00.250' AS DATETIME(3)), FROM_UNIXTIME(0)",
        params: [],
      },
      limits,
    );
    expect(r.rows).toEqual([['+00:00', '2020-03-29', '2020-03-29T01:30:00.25', '1970-01-01T00:00:00']]);
  });

  test('BIGINT, DECIMAL and DOUBLE arrive as numbers', async () => {
    const r = await engine.run(
      { sql: 'SELECT CAST(42 AS SIGNED), CAST(1.50 AS DECIMAL(5,2)), 1e300, NULL + 1', params: [] },
      limits,
    );
    expect(r.rows).toEqual([[42, 1.5, 1e300, null]]);
  });

  test('TINYINT(1) is a boolean; other TINYINTs, binary strings and TIMESTAMPs are typed by describe', async () => {
    const r = await engine.run({ sql: `SELECT flag, word, small, at FROM ${table}`, params: [] }, limits);
    expect(r.rows).toEqual([[true, 'x', 7, '2020-03-29T01:30:00']]);
    const cols = await engine.describe({ sql: `SELECT * FROM ${table}`, params: [] });
    expect(cols.map((c) => [c.name, c.type, c.nativeType])).toEqual([
      ['flag', 'boolean', 'tinyint(1)'],
      ['raw', undefined, 'varbinary'],
      ['word', 'string', 'varchar'],
      ['small', 'number', 'tinyint'],
      ['at', 'timestamp', 'timestamp'],
    ]);
  });

  test('describe asks the server to prepare, not to run', async () => {
    const started = performance.now();
    const cols = await engine.describe({
      sql: 'SELECT SLEEP(5) AS slept, CAST(? AS DATE) AS d',
      params: ['2020-01-01'],
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(cols.map((c) => [c.name, c.type])).toEqual([
      ['slept', 'number'],
      ['d', 'date'],
    ]);
  });

  test('the server has its own time limit, just past our deadline, as a backstop', async () => {
    const r = await engine.run(
      { sql: 'SELECT @@max_statement_time', params: [] },
      { ...limits, timeoutMs: 4_000 },
    );
    expect(r.rows).toEqual([[5]]);
  });

  test('one statement per call: a second one is refused, not run', async () => {
    const err = await failure(engine.run({ sql: `SELECT 1; DROP TABLE ${table}`, params: [] }, limits));
    expect(err.code).toBe('QUERY_FAILED');
    expect((await engine.run({ sql: `SELECT count(*) FROM ${table}`, params: [] }, limits)).rows).toEqual([
      [1],
    ]);
  });

  test('a bad statement is QUERY_FAILED: the driver message goes to the detail, not the message', async () => {
    const err = await failure(
      engine.run({ sql: 'SELECT * FROM no_such_table_anywhere', params: [] }, limits),
    );
    expect(err.code).toBe('QUERY_FAILED');
    expect(err.message).not.toContain('no_such_table');
    expect(err.detail).toMatchObject({ code: 'ER_NO_SUCH_TABLE' });
  });

  test('the GROUP_CONCAT median is exact, and NULL (never a wrong number) when the list was cut', async () => {
    const median = mysqlDialect.median('seq');
    const odd = await engine.run({ sql: `SELECT ${median} FROM seq_1_to_100001`, params: [] }, limits);
    expect(odd.rows).toEqual([[50001]]);
    const even = await engine.run({ sql: `SELECT ${median} FROM seq_1_to_10`, params: [] }, limits);
    expect(even.rows).toEqual([[5.5]]);
    // A session whose list limit is tiny: the list is cut, so the answer is NULL.
    const one = await openMySQL(source(1), { MYSQL_URL: my.url });
    try {
      await one.run({ sql: 'SET SESSION group_concat_max_len = 8', params: [] }, limits);
      expect((await one.run({ sql: `SELECT ${median} FROM seq_1_to_100`, params: [] }, limits)).rows).toEqual(
        [[null]],
      );
    } finally {
      await one.close();
    }
  });

  test('bad credentials are SOURCE_UNAVAILABLE, naming the target without the password', async () => {
    const url = new URL(my.url);
    url.username = 'trellis_nobody';
    url.password = 'hunter2';
    const err = await failure(openMySQL(source(1), { MYSQL_URL: url.toString() }));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.message).toContain(`${url.hostname}:`);
    expect(err.message).not.toContain('hunter2');
  });
});

describe('MySQL error classification', () => {
  const e = (code: string, extra: object = {}) => Object.assign(new Error('x'), { code, ...extra });
  test('retried when opening a connection: refused, reset, lost, too many connections, shutting down', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'PROTOCOL_CONNECTION_LOST',
      'ER_CON_COUNT_ERROR',
      'ER_SERVER_SHUTDOWN',
    ])
      expect(isTransientConnectError(e(code)), code).toBe(true);
  });
  test('not retried: timeouts, bad credentials, statements', () => {
    for (const code of ['ETIMEDOUT', 'ER_ACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ER_PARSE_ERROR'])
      expect(isTransientConnectError(e(code)), code).toBe(false);
  });
  test('the server is unavailable vs the statement failed', () => {
    for (const code of ['ETIMEDOUT', 'ER_ACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ENOTFOUND'])
      expect(isConnectionError(e(code)), code).toBe(true);
    expect(isConnectionError(e('EWHATEVER', { fatal: true }))).toBe(true);
    for (const code of ['ER_PARSE_ERROR', 'ER_NO_SUCH_TABLE', 'ER_QUERY_INTERRUPTED'])
      expect(isConnectionError(e(code)), code).toBe(false);
  });
});
