import { IngestWriterBase, type IngestConnection, type IngestReadSql } from './ingest-writer-base.js';
import {
  IngestSchemaError,
  storedColumns,
  type IngestCell,
  type IngestColumnType,
  type IngestTable,
  type IngestWriterOptions,
} from './ingest-writer.js';

export type { IngestConnection } from './ingest-writer-base.js';

/** A column as stored: the pipeline's, plus the tenant column. */
export type StoredColumn = { readonly name: string; readonly type: IngestColumnType };

/**
 * The statements of the server ingest writer, from each engine's dialect file (engines/<name>/
 * <name>-dialect.ts, built by engines/server-ingest-statements.ts). Identifiers are quoted there from
 * project files; every value is a placeholder, numbered in the order the writer binds them.
 */
export interface IngestSql extends IngestReadSql {
  /** information_schema's `data_type` names that hold `type` (lower case). */
  storedAs(type: IngestColumnType): readonly string[];
  /** CREATE TABLE IF NOT EXISTS of the state table (state_key, state, updated_at). */
  readonly stateTable: string;
  /** Inserts or replaces one checkpoint: state_key, state bound. */
  readonly putState: string;
  /** `name`, `type` of the columns of the table whose name is bound, in the current schema. */
  readonly columnsOf: string;
  createTable(table: string, columns: readonly StoredColumn[]): string;
  addColumn(table: string, column: StoredColumn): string;
  /** Deletes the rows of `keys` key tuples (bound in order), then the tenant bound when there is a tenant column. */
  deleteKeys(table: string, key: readonly string[], keys: number, tenantColumn: string | null): string;
  /** One multi-row INSERT of `rows` rows of the columns (bound row by row). */
  insertRows(table: string, columns: readonly string[], rows: number): string;
}

/** Bound values per statement: far below PostgreSQL's and MySQL's 65,535, and a page fits in a few statements. */
const MAX_PARAMS = 10_000;

/**
 * The IngestWriter (ingest-writer.ts) on a database server, written once for PostgreSQL and MySQL:
 * one connection, each page one transaction that deletes the page's keys and inserts its rows with
 * multi-row INSERTs (values bound, a bounded number per statement), and the checkpoint upserted in a
 * state table (ON CONFLICT / ON DUPLICATE KEY). Readers see a page once it commits, so `publish` has
 * nothing left to do. Each engine supplies its statements (IngestSql) and connection (IngestConnection).
 */
export class ServerIngestWriter extends IngestWriterBase {
  readonly capabilities = { importsFiles: false };

  private constructor(
    conn: IngestConnection,
    private readonly sql: IngestSql,
    options: IngestWriterOptions,
  ) {
    super(conn, sql, options);
  }

  /** Prepares the tables (created, columns added, types checked) on an open connection; closes it on failure. */
  static async open(
    conn: IngestConnection,
    sql: IngestSql,
    options: IngestWriterOptions,
  ): Promise<ServerIngestWriter> {
    const writer = new ServerIngestWriter(conn, sql, options);
    try {
      if (options.tables.length === 0) throw new IngestSchemaError('a pipeline writes at least one table');
      await writer.prepareSchema();
      return writer;
    } catch (err) {
      await conn.close();
      throw err;
    }
  }

  /** Every page is visible once committed: nothing is held back for a publish. */
  async publish(): Promise<void> {}

  private async prepareSchema(): Promise<void> {
    const { sql } = this;
    await this.conn.query(sql.stateTable);
    for (const table of [...this.options.tables, ...(this.options.ledgers ?? [])]) {
      const existing = await this.conn.query(sql.columnsOf, [table.name]);
      const have = new Map(existing.map((r) => [String(r['name']), String(r['type']).toLowerCase()]));
      const wanted = storedColumns(table, this.options.tenantColumn);
      if (have.size === 0) {
        await this.conn.query(sql.createTable(table.name, wanted));
        continue;
      }
      for (const c of wanted) {
        const type = have.get(c.name);
        if (type === undefined) await this.conn.query(sql.addColumn(table.name, c));
        else if (!sql.storedAs(c.type).includes(type))
          throw new IngestSchemaError(
            `table ${table.name}: column ${c.name} is ${type} in the database, the pipeline writes ${c.type}`,
          );
      }
    }
  }

  protected async replaceRows(
    table: IngestTable,
    keys: readonly (readonly IngestCell[])[],
    rows: readonly (readonly IngestCell[])[],
  ): Promise<void> {
    await this.deleteKeys(table, keys);
    await this.insertRows(table, rows);
  }

  protected async appendRows(table: IngestTable, rows: readonly (readonly IngestCell[])[]): Promise<void> {
    await this.insertRows(table, rows);
  }

  /** Deletes the organisation's rows whose key the page holds, a bounded number of keys per statement. */
  private async deleteKeys(table: IngestTable, keys: readonly (readonly IngestCell[])[]): Promise<void> {
    const perStatement = Math.max(1, Math.floor((MAX_PARAMS - 1) / table.key.length));
    for (let start = 0; start < keys.length; start += perStatement) {
      const chunk = keys.slice(start, start + perStatement);
      await this.conn.query(
        this.sql.deleteKeys(table.name, table.key, chunk.length, this.options.tenantColumn),
        [...chunk.flatMap((k) => table.key.map((_, i) => k[i] ?? null)), ...this.tenantParams()],
      );
    }
  }

  /** Multi-row INSERTs of the page's rows (plus the tenant), a bounded number of values per statement. */
  private async insertRows(table: IngestTable, rows: readonly (readonly IngestCell[])[]): Promise<void> {
    const columns = storedColumns(table, this.options.tenantColumn).map((c) => c.name);
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const params = chunk.flatMap((row) => [
        ...table.columns.map((_, i) => row[i] ?? null),
        ...this.tenantParams(),
      ]);
      await this.conn.query(this.sql.insertRows(table.name, columns, chunk.length), params);
    }
  }

  protected async putState(stateKey: string, state: string): Promise<void> {
    await this.conn.query(this.sql.putState, [stateKey, state]);
  }
}
