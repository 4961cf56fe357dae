import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMiniProject, type MiniProject } from '../../../test/mini-project.js';
import { serviceGate } from '../../../test/test-services.js';
import type { SourceConfig } from '../../config/project/project.schema.js';
import { TrellisError } from '../../errors.js';
import type { Engine, RunOptions } from '../engine.js';
import { duckdbDialect } from './duckdb/duckdb-dialect.js';
import { openEngine, openEngines, SourcesUnavailableError } from './index.js';
import { mariadbDialect, mysqlDialect } from './mysql/mysql-dialect.js';
import { postgresDialect } from './postgres/postgres-dialect.js';

/**
 * The source → engine switch, on real engines: a duckdb source with `server_url_env` stays on its
 * file while the variable is unset and moves to the server its URL names when it is set.
 */
const pg = await serviceGate('postgres', 'server_url_env → PostgreSQL engine tests');
const maria = await serviceGate('mysql', 'server_url_env → MariaDB engine tests');
const limits: RunOptions = { timeoutMs: 5_000, maxRows: 10, maxBytes: 10_000 };

let mini: MiniProject;
beforeAll(async () => {
  mini = await createMiniProject();
});

const opened: Engine[] = [];
afterAll(async () => {
  await Promise.all(opened.map((e) => e.close()));
});

function fileSource(path = 'data/mini.duckdb'): SourceConfig {
  return {
    type: 'duckdb',
    path,
    allowed_directories: ['data'],
    pool: { size: 2, queue: 10 },
    server_url_env: 'VM_URL',
  };
}

async function open(source: SourceConfig, environment: Record<string, string>): Promise<Engine> {
  const engine = await openEngine(source, mini.dir, environment);
  opened.push(engine);
  return engine;
}

async function scalar(engine: Engine, sql: string): Promise<unknown> {
  return (await engine.run({ sql, params: [] }, limits)).rows[0]?.[0];
}

describe('a duckdb source with server_url_env', () => {
  test('unset or empty: the DuckDB file, with the source’s own pool', async () => {
    for (const environment of [{}, { VM_URL: '' }] as Record<string, string>[]) {
      const engine = await open(fileSource(), environment);
      expect(engine.dialect).toBe(duckdbDialect);
      expect(engine.stats().poolSize).toBe(2);
      expect(await scalar(engine, 'SELECT count(*) FROM items')).toBe(mini.itemCount);
    }
  });

  test('a value that is not a server URL stops the source, naming the variable and not the value', async () => {
    const err = await openEngine(fileSource(), mini.dir, { VM_URL: 'https://u:s3cret@db/x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TrellisError);
    expect((err as TrellisError).code).toBe('SOURCE_UNAVAILABLE');
    const all = await openEngines(new Map([['main', fileSource()]]), mini.dir, {
      VM_URL: 'https://u:s3cret@db/x',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(all).toBeInstanceOf(SourcesUnavailableError);
    expect((all as Error).message).toMatch(/^source "main": environment variable VM_URL \(server_url_env\)/);
    expect((all as Error).message).not.toContain('s3cret');
  });

  test.runIf(pg.available)(
    'postgres:// opens PostgreSQL with the default server pool; the file need not exist',
    async () => {
      const engine = await open(fileSource('data/missing.duckdb'), { VM_URL: pg.url });
      expect(engine.dialect).toBe(postgresDialect);
      expect(engine.stats().poolSize).toBe(10);
      expect(String(await scalar(engine, 'SELECT version()'))).toMatch(/^PostgreSQL /);
    },
  );

  test.runIf(maria.available)('mysql:// opens MySQL/MariaDB', async () => {
    const engine = await open(fileSource('data/missing.duckdb'), { VM_URL: maria.url });
    // MariaDB gets its own dialect (window MEDIAN) once the server identifies itself.
    expect([mysqlDialect, mariadbDialect]).toContain(engine.dialect);
    expect(engine.stats().poolSize).toBe(10);
    expect(String(await scalar(engine, 'SELECT version()'))).toMatch(/MariaDB|^\d+\.\d+/);
  });

  test.runIf(pg.available)(
    'an unreachable server is SOURCE_UNAVAILABLE, not a quiet fallback to the file',
    async () => {
      const err = await openEngine(fileSource(), mini.dir, {
        VM_URL: 'postgres://nobody@127.0.0.1:1/none',
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as TrellisError).code).toBe('SOURCE_UNAVAILABLE');
    },
  );
});
