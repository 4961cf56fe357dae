import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ScratchDatabase, ScratchValue } from '../../scratch-database.js';

/** An in-memory DuckDB whose file access is limited to one folder, locked before it is handed out. */
export class DuckDBScratch implements ScratchDatabase {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(folder: string, memoryLimit: string): Promise<DuckDBScratch> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: memoryLimit });
    const conn = await instance.connect();
    const dir = path.resolve(folder) + path.sep;
    try {
      await conn.run(`SET allowed_directories = ['${dir.replace(/'/g, "''")}']`);
      await conn.run('SET enable_external_access = false');
      await conn.run('SET lock_configuration = true');
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
    return new DuckDBScratch(instance, conn);
  }

  async all(sql: string, params: readonly (string | number)[]): Promise<Record<string, ScratchValue>[]> {
    const reader = await this.conn.runAndReadAll(sql, [...params]);
    return reader.getRowObjectsJson() as Record<string, ScratchValue>[];
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
