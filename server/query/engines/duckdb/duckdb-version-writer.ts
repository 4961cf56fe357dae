import { constants } from 'node:fs';
import { copyFile, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { inTransaction } from './duckdb-transaction.js';
import { TRIM_FREED_MEMORY } from './duckdb-scratch.js';
import {
  VersionSchemaError,
  type VersionMode,
  type VersionTarget,
  type VersionWriter,
  type VersionedTable,
} from '../../version-writer.js';

/**
 * The VersionWriter (version-writer.ts) on DuckDB. The server opens the served file read-only, so a
 * session copies it to `<served>.upload.tmp` (a reflink where the file system has them), changes
 * the copy in transactions, and `publish` checkpoints it and renames it over the served file — one
 * atomic step; readers (after the engine reopens) see the whole new file or the old one. A crash
 * leaves at most the temp copy, which the next session removes first.
 *
 * Identifiers come from validated project files only; values and file paths are bound.
 */
const POINTER = '_trellis_upload_current';
type DuckDBVersionTarget = Extract<VersionTarget, { kind: 'duckdb' }>;
const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class DuckDBVersionWriter implements VersionWriter {
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly work: string,
    private readonly target: DuckDBVersionTarget,
    private readonly spec: VersionedTable,
  ) {}

  /**
   * Removes the private copy a session killed mid-import left beside the served file (start-up
   * recovery, under the source's lock so no live session owns it); true when there was one.
   */
  static async discardStale(target: DuckDBVersionTarget): Promise<boolean> {
    const work = workFileOf(target);
    const found = await stat(work).then(
      () => true,
      () => false,
    );
    await removeDb(work);
    return found;
  }

  static async open(target: DuckDBVersionTarget, spec: VersionedTable): Promise<DuckDBVersionWriter> {
    const work = workFileOf(target);
    await removeDb(work);
    await copyFile(target.servedFile, work, constants.COPYFILE_FICLONE);
    const instance = await DuckDBInstance.create(work, {
      memory_limit: target.memoryLimit,
      threads: String(target.threads),
      // The rows being appended keep one row group in memory before it goes to the file, not five
      // (1 M-row import in process: +59 MB → +45 MB RSS at the peak, no slower).
      write_buffer_row_group_count: '1',
      // Freed pages back to the system as the import goes (duckdb-scratch.ts says why).
      ...TRIM_FREED_MEMORY,
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
    });
    let conn: DuckDBConnection | undefined;
    try {
      conn = await instance.connect();
      const dirs = [path.resolve(target.readDir) + path.sep];
      await conn.run(`SET allowed_directories = [${dirs.map(literal).join(', ')}]`);
      await conn.run('SET enable_external_access = false');
      await conn.run('SET lock_configuration = true');
      const writer = new DuckDBVersionWriter(instance, conn, work, target, spec);
      await writer.prepare();
      return writer;
    } catch (err) {
      conn?.closeSync();
      instance.closeSync();
      await removeDb(work);
      throw err;
    }
  }

  private get storage(): string {
    return q(`${this.spec.table}__versions`);
  }

  /** The storage table, the pointer table and the view; refuses a table of the view's name. */
  private async prepare(): Promise<void> {
    const { table, tenantColumn, columns } = this.spec;
    const existing = await this.all(
      `SELECT table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1
       UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND view_name = $1`,
      [table],
    );
    if (existing.some((r) => r.kind === 'table'))
      throw new VersionSchemaError(
        `table ${table} already exists in ${path.basename(this.target.servedFile)} and is not an upload's view`,
      );
    const wanted = [
      ...columns.map((c) => ({ name: c.name, type: c.type as string })),
      { name: tenantColumn, type: 'VARCHAR' },
      { name: '_trellis_version', type: 'INTEGER' },
    ];
    const have = await this.all(
      `SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1 ORDER BY column_index`,
      [`${table}__versions`],
    );
    const [createStorage, createPointer, createView] = versionedTableSql(this.spec);
    if (have.length === 0) await this.conn.run(createStorage);
    else {
      const got = new Map(have.map((c) => [String(c.name), String(c.type)]));
      for (const c of wanted) {
        const type = got.get(c.name);
        if (type === undefined)
          await this.conn.run(`ALTER TABLE ${this.storage} ADD COLUMN ${q(c.name)} ${c.type}`);
        else if (type !== c.type)
          throw new VersionSchemaError(
            `column ${c.name} of ${table} is ${type}; the upload declares ${c.type}`,
          );
      }
    }
    await this.conn.run(createPointer);
    await this.conn.run(createView);
  }

  async importVersion(tenant: string, version: number, mode: VersionMode, rowsFile: string): Promise<number> {
    const { columns, tenantColumn, key } = this.spec;
    const names = columns.map((c) => q(c.name)).join(', ');
    const into = `INSERT INTO ${this.storage} (${names}, ${q(tenantColumn)}, _trellis_version)`;
    const current = await this.currentVersion(tenant);
    await this.transaction(async () => {
      if (current !== null && mode !== 'replace') {
        const notReplaced =
          mode === 'upsert'
            ? ` AND NOT EXISTS (SELECT 1 FROM read_parquet($4) AS n WHERE ${key.map((k) => `n.${q(k)} = s.${q(k)}`).join(' AND ')})`
            : '';
        await this.conn.run(
          `${into} SELECT ${columns.map((c) => `s.${q(c.name)}`).join(', ')}, s.${q(tenantColumn)}, $3
           FROM ${this.storage} AS s WHERE s.${q(tenantColumn)} = $1 AND s._trellis_version = $2${notReplaced}`,
          mode === 'upsert' ? [tenant, current, version, rowsFile] : [tenant, current, version],
        );
      }
      await this.conn.run(`${into} SELECT ${names}, $1, $2 FROM read_parquet($3)`, [
        tenant,
        version,
        rowsFile,
      ]);
      await this.point(tenant, version);
    });
    return this.count(tenant, version);
  }

  async switchTo(tenant: string, version: number): Promise<boolean> {
    if ((await this.count(tenant, version)) === 0) {
      const any = await this.all(
        `SELECT 1 FROM ${this.storage} WHERE ${q(this.spec.tenantColumn)} = $1 AND _trellis_version = $2 LIMIT 1`,
        [tenant, version],
      );
      if (any.length === 0) return false;
    }
    await this.transaction(() => this.point(tenant, version));
    return true;
  }

  async removeVersions(tenant: string, versions: readonly number[]): Promise<void> {
    const current = await this.currentVersion(tenant);
    const doomed = versions.filter((v) => v !== current && Number.isInteger(v));
    if (doomed.length === 0) return;
    await this.transaction(async () => {
      await this.conn.run(
        `DELETE FROM ${this.storage} WHERE ${q(this.spec.tenantColumn)} = $1 AND list_contains($2::INTEGER[], _trellis_version)`,
        [tenant, `[${doomed.join(',')}]`],
      );
    });
  }

  async currentVersion(tenant: string): Promise<number | null> {
    const r = await this.all(`SELECT version FROM ${POINTER} WHERE target = $1 AND tenant = $2`, [
      this.spec.target,
      tenant,
    ]);
    const v = r[0]?.version;
    return v === undefined || v === null ? null : Number(v);
  }

  async count(tenant: string, version: number): Promise<number> {
    const r = await this.all(
      `SELECT count(*)::BIGINT AS n FROM ${this.storage} WHERE ${q(this.spec.tenantColumn)} = $1 AND _trellis_version = $2`,
      [tenant, version],
    );
    return Number(r[0]?.n ?? 0);
  }

  /** Checkpoints the copy, closes it and renames it over the served file (fsynced, one step). */
  async publish(): Promise<void> {
    await this.conn.run('CHECKPOINT');
    this.shut();
    const served = this.target.servedFile;
    const handle = await open(this.work, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rm(`${this.work}.wal`, { force: true });
    // A WAL left beside the served file belongs to the old file; DuckDB would replay it onto the new one.
    await rm(`${served}.wal`, { force: true });
    await rename(this.work, served);
    const dir = await open(path.dirname(served), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  async close(): Promise<void> {
    this.shut();
    await removeDb(this.work);
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.closeSync();
    this.instance.closeSync();
  }

  private async point(tenant: string, version: number): Promise<void> {
    await this.conn.run(`DELETE FROM ${POINTER} WHERE target = $1 AND tenant = $2`, [
      this.spec.target,
      tenant,
    ]);
    await this.conn.run(`INSERT INTO ${POINTER} VALUES ($1, $2, $3)`, [this.spec.target, tenant, version]);
  }

  private async all(sql: string, params: (string | number)[]): Promise<Record<string, unknown>[]> {
    const r = await this.conn.runAndReadAll(sql, params);
    return r.getRowObjectsJS() as Record<string, unknown>[];
  }

  private transaction(work: () => Promise<void>): Promise<void> {
    return inTransaction(this.conn, work);
  }
}

/**
 * The statements that make a versioned table (version-writer.ts) in a DuckDB file: the storage table,
 * the pointer table and the view. Also used by example generators, so a fresh example's datasets on
 * an upload target answer before its first import (the server prepares missing ones at start too).
 */
export function versionedTableSql(spec: VersionedTable): [string, string, string] {
  const tenant = q(spec.tenantColumn);
  const storage = q(`${spec.table}__versions`);
  const columns = [
    ...spec.columns.map((c) => `${q(c.name)} ${c.type}`),
    `${tenant} VARCHAR`,
    '_trellis_version INTEGER',
  ];
  const names = spec.columns.map((c) => `s.${q(c.name)}`).join(', ');
  return [
    `CREATE TABLE IF NOT EXISTS ${storage} (${columns.join(', ')})`,
    `CREATE TABLE IF NOT EXISTS ${POINTER} (target VARCHAR, tenant VARCHAR, version INTEGER)`,
    // The target id is a project file name (validated), the only literal in the view's text.
    `CREATE OR REPLACE VIEW ${q(spec.table)} AS SELECT ${names}, s.${tenant} FROM ${storage} AS s
     WHERE EXISTS (SELECT 1 FROM ${POINTER} AS p WHERE p.target = ${literal(spec.target)}
                   AND p.tenant = s.${tenant} AND p.version = s._trellis_version)`,
  ];
}

function workFileOf(target: DuckDBVersionTarget): string {
  return `${target.servedFile}.upload.tmp`;
}

async function removeDb(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.wal`, { force: true });
}
