import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { SourceConfig } from '../../server/config/project/project.schema.js';
import type { Engine } from '../../server/query/engine.js';
import { openEngine } from '../../server/query/engines/index.js';
import type { IngestTarget } from '../../server/query/ingest-writer.js';

/**
 * The ingest-writer contract's targets (server/query/engines/contract/ingest-writer-contract.test.ts):
 * where each engine's writer writes, a reader through the Engine seam, and raw access for set-up.
 */
export interface WriterTarget {
  readonly target: IngestTarget;
  /** A reader through the Engine seam, as dashboards read the target. */
  reader(): Promise<Engine>;
  /** Creates a table outside the writer (a column of another type). */
  createTable(sql: string): Promise<void>;
  teardown(tables: readonly string[]): Promise<void>;
}

export function duckdbWriterTarget(): WriterTarget {
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-ingest-contract-'));
  const served = path.join(dir, 'served.duckdb');
  const source: SourceConfig = {
    type: 'duckdb',
    path: 'served.duckdb',
    allowed_directories: [],
    pool: { size: 1, queue: 5 },
  };
  return {
    target: {
      kind: 'duckdb',
      ingestFile: path.join(dir, 'served.ingest.duckdb'),
      servedFile: served,
      dataDir: dir,
      memoryLimit: '128MB',
      threads: 1,
    },
    reader: () => openEngine(source, dir, {}),
    // The ingest file is built from the served one on first open: a table there is the writer's to meet.
    async createTable(sql) {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(served);
      const conn = await instance.connect();
      await conn.run(sql);
      conn.closeSync();
      instance.closeSync();
    },
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function serverSource(type: 'postgres' | 'mysql'): SourceConfig {
  return {
    type,
    url_env: 'TRELLIS_INGEST_CONTRACT_URL',
    pool: { size: 1, queue: 5, acquire_timeout: '5s', idle_timeout: '30s' },
  };
}

export function postgresWriterTarget(url: string): WriterTarget {
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    target: { kind: 'postgres', url },
    reader: () => openEngine(serverSource('postgres'), '.', { TRELLIS_INGEST_CONTRACT_URL: url }),
    createTable: run,
    async teardown(tables) {
      for (const t of tables) await run(`DROP TABLE IF EXISTS "${t}"`);
    },
  };
}

export function mysqlWriterTarget(url: string): WriterTarget {
  const run = async (sql: string) => {
    const conn = await mysql.createConnection({ uri: url });
    try {
      await conn.query(sql);
    } finally {
      await conn.end();
    }
  };
  return {
    target: { kind: 'mysql', url },
    reader: () => openEngine(serverSource('mysql'), '.', { TRELLIS_INGEST_CONTRACT_URL: url }),
    createTable: (sql) => run(sql.replace(/"/g, '`')),
    async teardown(tables) {
      for (const t of tables) await run(`DROP TABLE IF EXISTS \`${t}\``);
    },
  };
}
