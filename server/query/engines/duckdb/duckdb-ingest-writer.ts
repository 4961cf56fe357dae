import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { readRowsSql } from '../ingest-read-statements.js';
import { IngestWriterBase, type IngestConnection, type IngestReadSql } from '../../ingest-writer-base.js';
import { fileFingerprint } from '../../file-fingerprint.js';
import {
  IngestSchemaError,
  type IngestCell,
  type IngestColumnType,
  type IngestFileFormat,
  type IngestRows,
  type IngestTable,
  type IngestTarget,
  type IngestWriterOptions,
  type OpenedIngest,
} from '../../ingest-writer.js';
import { duckdbDialect } from './duckdb-dialect.js';
import { publishFile } from './duckdb-publish.js';

/**
 * The IngestWriter (ingest-writer.ts) on DuckDB, and the one read-write DuckDB connection of the
 * server: a pipeline's ingest file
 * (`data/<target>.ingest.duckdb`). Everything else opens DuckDB read-only (duckdb-config.ts).
 *
 * A page is written in ONE transaction together with the pipeline's checkpoint (its row in
 * `_trellis_pipeline_state`), so after a crash the file holds either the page and the cursor past
 * it, or neither: a resumed run neither skips nor repeats a page. Writes are upserts by key: the
 * page's rows go to temp staging tables (appenders, no SQL per row), then every row whose key the
 * page holds is deleted and the staged rows inserted, scoped to the organisation when the pipeline
 * has a tenant column.
 *
 * Identifiers here come from validated project files only (pipeline.schema.ts); values are bound or
 * appended, never spliced into SQL.
 */

/** What the DuckDB writer needs: the shared options with the DuckDB target. */
type DuckDBIngestOptions = IngestWriterOptions & {
  readonly target: Extract<IngestTarget, { kind: 'duckdb' }>;
};

const META = '_trellis_ingest_meta';
const STATE = '_trellis_pipeline_state';
const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function removeDb(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.wal`, { force: true });
}

/** The statements the shared writer (ingest-writer-base.ts) reads state and watermarks with. */
const READ_SQL: IngestReadSql = {
  selectState: `SELECT state FROM ${STATE} WHERE pipeline_id = $1`,
  maxValue: (table, column, tenant) =>
    `SELECT max(${q(column)})::VARCHAR AS v FROM ${q(table)}${tenant ? ` WHERE ${q(tenant)} = $1` : ''}`,
  count: (table, tenant) =>
    `SELECT count(*)::BIGINT AS n FROM ${q(table)}${tenant ? ` WHERE ${q(tenant)} = $1` : ''}`,
  countBy: (table, column, tenant) =>
    `SELECT ${q(column)}::VARCHAR AS v, count(*)::BIGINT AS n FROM ${q(table)}${tenant ? ` WHERE ${q(tenant)} = $1` : ''} GROUP BY ${q(column)}`,
  readRows: (query, tenant, limit) =>
    readRowsSql(query, { quote: q, placeholder: (n) => `$${n}`, dialect: duckdbDialect }, tenant, limit),
};

/** The writer's connection as the shared writer sees it; closing it closes the instance too. */
function ingestConnection(instance: DuckDBInstance, duck: DuckDBConnection): IngestConnection {
  return {
    query: async (sql, params = []) => (await duck.runAndReadAll(sql, [...params])).getRowObjectsJS(),
    close: async () => {
      duck.closeSync();
      instance.closeSync();
    },
  };
}

export class DuckDBIngestWriter extends IngestWriterBase {
  readonly capabilities = { importsFiles: true };
  private readonly keyTypes: readonly IngestColumnType[];

  private constructor(
    instance: DuckDBInstance,
    private readonly duck: DuckDBConnection,
    protected override readonly options: DuckDBIngestOptions,
  ) {
    super(ingestConnection(instance, duck), READ_SQL, options);
    const first = options.tables[0];
    if (!first) throw new IngestSchemaError('a pipeline writes at least one table');
    this.keyTypes = first.key.map((k) => first.columns.find((c) => c.name === k)?.type ?? 'VARCHAR');
  }

  /**
   * Opens the ingest file, first (re)building it from the served file when it is missing or when
   * the served file changed behind our back (a regenerated example, a restored backup): continuing
   * on a stale copy would publish old rows over new ones.
   */
  static async open(options: DuckDBIngestOptions): Promise<OpenedIngest> {
    const { target } = options;
    const served = await fileFingerprint(target.servedFile);
    let rebuilt: string | null = null;
    if (!existsSync(target.ingestFile)) rebuilt = 'first run: the ingest file is a copy of the served file';
    else {
      const recorded = await DuckDBIngestWriter.recordedFingerprint(options);
      if (served !== null && recorded !== served)
        rebuilt = 'the served file was replaced since the last publish; the ingest copy starts again from it';
    }
    if (rebuilt) await DuckDBIngestWriter.build(options, served);
    const instance = await DuckDBInstance.create(target.ingestFile, instanceOptions(target));
    let conn: DuckDBConnection | undefined;
    try {
      conn = await instance.connect();
      await lockDown(conn, options);
      const writer = new DuckDBIngestWriter(instance, conn, options);
      await writer.prepareSchema();
      return { writer, rebuilt };
    } catch (err) {
      conn?.closeSync();
      instance.closeSync();
      throw err;
    }
  }

  private static async recordedFingerprint(options: DuckDBIngestOptions): Promise<string | null> {
    const { target } = options;
    const instance = await DuckDBInstance.create(target.ingestFile, instanceOptions(target));
    try {
      const conn = await instance.connect();
      try {
        const exists = await conn.runAndReadAll(
          `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = '${META}'`,
        );
        if (exists.getRowObjectsJS()[0]?.['n'] !== 1) return null;
        const r = await conn.runAndReadAll(`SELECT value FROM ${META} WHERE key = 'served_fingerprint'`);
        const v = r.getRowObjectsJS()[0]?.['value'];
        return typeof v === 'string' ? v : null;
      } finally {
        conn.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  }

  /**
   * Copies every table and view of the served file into a new ingest file (through a temp file and
   * a rename, so a crash here leaves no half-built copy). Tables are copied with CREATE TABLE AS:
   * their rows, not their constraints, since keys are the pipeline's business (a primary key on
   * nct_id alone would refuse the same study in two organisations).
   */
  private static async build(options: DuckDBIngestOptions, servedFingerprint: string | null): Promise<void> {
    const { target } = options;
    const tmp = `${target.ingestFile}.building.tmp`;
    await removeDb(tmp);
    const instance = await DuckDBInstance.create(tmp, instanceOptions(target));
    try {
      const conn = await instance.connect();
      try {
        if (servedFingerprint !== null) {
          // An alias no file stem can take: the temp file's own database is named after its stem.
          await conn.run(`ATTACH ${literal(target.servedFile)} AS _trellis_served (READ_ONLY)`);
          const tables = await conn.runAndReadAll(
            `SELECT table_name FROM duckdb_tables() WHERE database_name = '_trellis_served' AND schema_name = 'main' ORDER BY table_name`,
          );
          for (const row of tables.getRowObjectsJS()) {
            const name = String(row['table_name']);
            await conn.run(`CREATE TABLE main.${q(name)} AS SELECT * FROM _trellis_served.main.${q(name)}`);
          }
          const views = await conn.runAndReadAll(
            `SELECT sql FROM duckdb_views() WHERE database_name = '_trellis_served' AND schema_name = 'main' AND NOT internal`,
          );
          for (const row of views.getRowObjectsJS()) await conn.run(String(row['sql']));
          await conn.run('DETACH _trellis_served');
        }
        await conn.run(`CREATE TABLE IF NOT EXISTS ${META} (key VARCHAR, value VARCHAR)`);
        await conn.run(`DELETE FROM ${META}`);
        if (servedFingerprint !== null)
          await conn.run(`INSERT INTO ${META} VALUES ('served_fingerprint', $1)`, [servedFingerprint]);
        await conn.run('CHECKPOINT');
      } finally {
        conn.closeSync();
      }
    } catch (err) {
      instance.closeSync();
      await removeDb(tmp);
      throw err;
    }
    instance.closeSync();
    await removeDb(target.ingestFile);
    await rename(tmp, target.ingestFile);
    await rm(`${tmp}.wal`, { force: true });
  }

  /** Creates missing tables and columns; refuses a column whose type differs from the pipeline's. */
  private async prepareSchema(): Promise<void> {
    const { tenantColumn } = this.options;
    const tables = [...this.options.tables, ...(this.options.ledgers ?? [])];
    await this.duck.run(`CREATE TABLE IF NOT EXISTS ${META} (key VARCHAR, value VARCHAR)`);
    await this.duck.run(
      `CREATE TABLE IF NOT EXISTS ${STATE} (pipeline_id VARCHAR, state VARCHAR, updated_at TIMESTAMP)`,
    );
    for (const table of tables) {
      const existing = await this.duck.runAndReadAll(
        `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1`,
        [table.name],
      );
      const have = new Map(
        existing.getRowObjectsJS().map((r) => [String(r['column_name']), String(r['data_type'])]),
      );
      const wanted = [
        ...table.columns,
        ...(tenantColumn ? [{ name: tenantColumn, type: 'VARCHAR' as const }] : []),
      ];
      if (have.size === 0) {
        await this.duck.run(
          `CREATE TABLE ${q(table.name)} (${wanted.map((c) => `${q(c.name)} ${c.type}`).join(', ')})`,
        );
      } else {
        for (const c of wanted) {
          const type = have.get(c.name);
          if (type === undefined)
            await this.duck.run(`ALTER TABLE ${q(table.name)} ADD COLUMN ${q(c.name)} ${c.type}`);
          else if (type !== c.type)
            throw new IngestSchemaError(
              `table ${table.name}: column ${c.name} is ${type} in ${path.basename(this.options.target.ingestFile)}, the pipeline writes ${c.type}`,
            );
        }
      }
      // Staging: the table's columns, DATE/TIMESTAMP as text (cast on insert), in memory.
      await this.duck.run(
        `CREATE OR REPLACE TEMP TABLE ${q(`_stage_${table.name}`)} (${table.columns
          .map((c) => `${q(c.name)} ${stageType(c.type)}`)
          .join(', ')})`,
      );
    }
    await this.duck.run(
      `CREATE OR REPLACE TEMP TABLE _stage_keys (${this.keyTypes.map((t, i) => `k${i} ${stageType(t)}`).join(', ')})`,
    );
  }

  /** The page's keys and rows into the temp staging tables (appenders: no SQL per row). */
  protected override async stagePage(
    keys: readonly (readonly IngestCell[])[],
    rows: IngestRows,
    appended: IngestRows,
  ): Promise<void> {
    const keyAppender = await this.duck.createAppender('_stage_keys', 'main', 'temp');
    appendAll(keyAppender, this.keyTypes, keys);
    for (const table of [...this.options.tables, ...(this.options.ledgers ?? [])]) {
      const tableRows = rows.get(table.name) ?? appended.get(table.name) ?? [];
      if (tableRows.length === 0) continue;
      const appender = await this.duck.createAppender(`_stage_${table.name}`, 'main', 'temp');
      appendAll(
        appender,
        table.columns.map((c) => c.type),
        tableRows,
      );
    }
  }

  /** In the page's transaction: the staged keys' rows deleted, the staged rows inserted. */
  protected async replaceRows(table: IngestTable): Promise<void> {
    await this.replaceKeys(table);
    await this.insertStaged(table);
  }

  /** In the page's transaction: the staged ledger rows inserted (stagePage appended them). */
  protected async appendRows(table: IngestTable): Promise<void> {
    await this.insertStaged(table);
  }

  protected override async clearPage(): Promise<void> {
    await this.clearStages();
  }

  /**
   * File imports: one batch of `file` (rows `offset` … `offset + limit`), read by DuckDB's reader,
   * columns by name and cast to the declared types (a value that does not cast becomes NULL),
   * upserted by key (the last row of a key wins) with the checkpoint. Returns the rows read.
   */
  async importFileBatch(
    file: string,
    format: IngestFileFormat,
    offset: number,
    limit: number,
    stateKey: string,
    stateFor: (rowsRead: number) => string,
  ): Promise<number> {
    const table = this.options.tables[0];
    if (!table) return 0;
    const resolved = path.resolve(file);
    if (!resolved.startsWith(path.resolve(this.options.target.dataDir) + path.sep))
      throw new IngestSchemaError(`${file} is outside the data folder`);
    const reader = format === 'csv' ? 'read_csv' : format === 'parquet' ? 'read_parquet' : 'read_json_auto';
    const columns = table.columns
      .map((c) => `TRY_CAST(${q(c.name)} AS ${c.type}) AS ${q(c.name)}`)
      .join(', ');
    try {
      await this.duck.run(
        `CREATE OR REPLACE TEMP TABLE _stage_file AS
         SELECT ${columns}, row_number() OVER () AS _seq
         FROM (SELECT * FROM ${reader}(${literal(resolved)}) LIMIT ${Math.trunc(limit)} OFFSET ${Math.trunc(offset)})`,
      );
      const counted = await this.duck.runAndReadAll('SELECT count(*)::BIGINT AS n FROM _stage_file');
      const n = Number(counted.getRowObjectsJS()[0]?.['n'] ?? 0);
      await this.transaction(async () => {
        if (n > 0) {
          const keyCols = table.key.map(q).join(', ');
          await this.duck.run(
            `INSERT INTO _stage_keys SELECT DISTINCT ${table.key.map((k) => q(k)).join(', ')} FROM _stage_file`,
          );
          await this.replaceKeys(table);
          const tenant = this.options.tenantColumn;
          await this.duck.run(
            `INSERT INTO ${q(table.name)} (${table.columns.map((c) => q(c.name)).join(', ')}${tenant ? `, ${q(tenant)}` : ''})
             SELECT ${table.columns.map((c) => q(c.name)).join(', ')}${tenant ? ', $1' : ''} FROM _stage_file
             QUALIFY row_number() OVER (PARTITION BY ${keyCols} ORDER BY _seq DESC) = 1`,
            tenant ? [this.options.tenant] : [],
          );
        }
        await this.putState(stateKey, stateFor(n));
      });
      return n;
    } finally {
      await this.duck.run('DROP TABLE IF EXISTS temp._stage_file');
      await this.clearStages();
    }
  }

  /**
   * Checkpoints (the file alone is then a complete copy, no pending WAL), copies the ingest file over
   * the served one atomically (duckdb-publish.ts), and records the served file's new fingerprint: it
   * is now this version of ours.
   */
  async publish(): Promise<void> {
    const { ingestFile, servedFile } = this.options.target;
    await this.duck.run('CHECKPOINT');
    await publishFile(ingestFile, servedFile);
    const fingerprint = await fileFingerprint(servedFile);
    if (fingerprint === null) return;
    await this.transaction(async () => {
      await this.duck.run(`DELETE FROM ${META} WHERE key = 'served_fingerprint'`);
      await this.duck.run(`INSERT INTO ${META} VALUES ('served_fingerprint', $1)`, [fingerprint]);
    });
  }

  private async replaceKeys(table: IngestTable): Promise<void> {
    const tenant = this.options.tenantColumn;
    const match = table.key.map((k, i) => `t.${q(k)} = k.k${i}`).join(' AND ');
    await this.duck.run(
      `DELETE FROM ${q(table.name)} AS t USING _stage_keys AS k WHERE ${match}${tenant ? ` AND t.${q(tenant)} = $1` : ''}`,
      tenant ? [this.options.tenant] : [],
    );
  }

  private async insertStaged(table: IngestTable): Promise<void> {
    const tenant = this.options.tenantColumn;
    const names = table.columns.map((c) => q(c.name)).join(', ');
    const select = table.columns
      .map((c) => (stageType(c.type) === c.type ? q(c.name) : `CAST(${q(c.name)} AS ${c.type})`))
      .join(', ');
    await this.duck.run(
      `INSERT INTO ${q(table.name)} (${names}${tenant ? `, ${q(tenant)}` : ''}) SELECT ${select}${tenant ? ', $1' : ''} FROM temp.main.${q(`_stage_${table.name}`)}`,
      tenant ? [this.options.tenant] : [],
    );
  }

  protected async putState(stateKey: string, state: string): Promise<void> {
    await this.duck.run(`DELETE FROM ${STATE} WHERE pipeline_id = $1`, [stateKey]);
    await this.duck.run(`INSERT INTO ${STATE} VALUES ($1, $2, now()::TIMESTAMP)`, [stateKey, state]);
  }

  private async clearStages(): Promise<void> {
    await this.duck.run('DELETE FROM temp.main._stage_keys');
    for (const table of [...this.options.tables, ...(this.options.ledgers ?? [])])
      await this.duck.run(`DELETE FROM temp.main.${q(`_stage_${table.name}`)}`);
  }
}

function stageType(type: IngestColumnType): IngestColumnType {
  return type === 'DATE' || type === 'TIMESTAMP' ? 'VARCHAR' : type;
}

function instanceOptions(target: DuckDBIngestOptions['target']): Record<string, string> {
  return {
    memory_limit: target.memoryLimit,
    threads: String(target.threads),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    // Pages are written in key order anyway; not keeping insertion order lets DuckDB use less memory.
    preserve_insertion_order: 'false',
    // Fewer automatic checkpoints between pages (each one stalls a commit as the tables grow); the
    // WAL keeps committed pages safe, and every publish checkpoints anyway.
    checkpoint_threshold: '64MB',
  };
}

/** File access limited to the data folder (file imports, the served file), then locked. */
async function lockDown(conn: DuckDBConnection, options: DuckDBIngestOptions): Promise<void> {
  const dir = path.resolve(options.target.dataDir) + path.sep;
  await conn.run(`SET allowed_directories = [${literal(dir)}]`);
  await conn.run('SET enable_external_access = false');
  await conn.run('SET lock_configuration = true');
}

/**
 * Appends rows whose cells were already coerced to their column types (row-mapping.ts); a cell of
 * the wrong JavaScript type is a bug there, and fails the page rather than storing a wrong value.
 */
function appendAll(
  appender: DuckDBAppender,
  types: readonly IngestColumnType[],
  rows: readonly (readonly IngestCell[])[],
): void {
  try {
    for (const row of rows) {
      for (let i = 0; i < types.length; i++) {
        const v = row[i];
        if (v === null || v === undefined) {
          appender.appendNull();
          continue;
        }
        switch (types[i]) {
          case 'VARCHAR':
          case 'DATE':
          case 'TIMESTAMP':
            appender.appendVarchar(String(v));
            break;
          case 'INTEGER':
            appender.appendInteger(v as number);
            break;
          case 'BIGINT':
            appender.appendBigInt(BigInt(v as number));
            break;
          case 'DOUBLE':
            appender.appendDouble(v as number);
            break;
          case 'BOOLEAN':
            appender.appendBoolean(v as boolean);
            break;
        }
      }
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
}
