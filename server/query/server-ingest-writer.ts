import { readCell, readRowsSql, type IngestReadQuery } from './ingest-read.js';
import {
  IngestSchemaError,
  storedColumns,
  type IngestCell,
  type IngestColumnType,
  type IngestRows,
  type IngestTable,
  type IngestWriter,
  type IngestWriterOptions,
} from './ingest-writer.js';

/**
 * The IngestWriter (ingest-writer.ts) on a database server, written once for PostgreSQL and MySQL:
 * one connection, each page one transaction that deletes the page's keys and inserts its rows with
 * multi-row INSERTs (values bound, a bounded number per statement), and the checkpoint upserted in a
 * state table (ON CONFLICT / ON DUPLICATE KEY). Readers see a page once it commits, so `publish` has
 * nothing left to do. Each engine supplies its SQL flavour and connection (IngestSql, IngestConnection).
 */
export interface IngestSql {
  quote(identifier: string): string;
  /** The placeholder for the `n`-th bound value (1-based). */
  placeholder(n: number): string;
  /** The column type in CREATE TABLE / ADD COLUMN. */
  ddlType(type: IngestColumnType): string;
  /** information_schema's `data_type` names that hold `type` (lower case). */
  storedAs(type: IngestColumnType): readonly string[];
  /** `SELECT name, type FROM …`: the columns of the table named by placeholder 1 in the current schema. */
  readonly columnsSql: string;
  /** An expression as text. */
  asText(expression: string): string;
  /** CREATE TABLE IF NOT EXISTS of the state table (STATE_TABLE: state_key, state, updated_at). */
  readonly stateTableSql: string;
  /** Inserts or replaces one checkpoint: placeholders 1–2 are state_key, state. */
  readonly putStateSql: string;
}

export interface IngestConnection {
  /** Runs one statement with bound values; rows as objects (empty for statements without rows). */
  query(sql: string, params?: readonly IngestCell[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export const STATE_TABLE = '_trellis_pipeline_state';

/** Bound values per statement: far below PostgreSQL's and MySQL's 65,535, and a page fits in a few statements. */
const MAX_PARAMS = 10_000;

export class ServerIngestWriter implements IngestWriter {
  readonly capabilities = { importsFiles: false };
  private closed = false;

  private constructor(
    private readonly conn: IngestConnection,
    private readonly sql: IngestSql,
    private readonly options: IngestWriterOptions,
  ) {}

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

  async readState(stateKey: string): Promise<string | null> {
    const { quote, placeholder } = this.sql;
    const rows = await this.conn.query(
      `SELECT ${quote('state')} AS state FROM ${quote(STATE_TABLE)} WHERE ${quote('state_key')} = ${placeholder(1)}`,
      [stateKey],
    );
    const v = rows[0]?.['state'];
    return typeof v === 'string' ? v : null;
  }

  async saveState(stateKey: string, state: string): Promise<void> {
    await this.transaction(() => this.putState(stateKey, state));
  }

  async writePage(
    keys: readonly (readonly IngestCell[])[],
    rows: IngestRows,
    stateKey: string,
    state: string,
  ): Promise<number> {
    let inserted = 0;
    await this.transaction(async () => {
      for (const table of this.options.tables) {
        await this.deleteKeys(table, keys);
        const tableRows = rows.get(table.name) ?? [];
        await this.insertRows(table, tableRows);
        inserted += tableRows.length;
      }
      await this.putState(stateKey, state);
    });
    return inserted;
  }

  async maxValue(table: string, column: string): Promise<string | null> {
    const { quote } = this.sql;
    const rows = await this.conn.query(
      `SELECT ${this.sql.asText(`max(${quote(column)})`)} AS v FROM ${quote(table)}${this.tenantWhere(1)}`,
      this.tenantParams(),
    );
    const v = rows[0]?.['v'];
    return typeof v === 'string' ? v : null;
  }

  async count(table: string): Promise<number> {
    const rows = await this.conn.query(
      `SELECT count(*) AS n FROM ${this.sql.quote(table)}${this.tenantWhere(1)}`,
      this.tenantParams(),
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async readRows(query: IngestReadQuery, limit: number): Promise<IngestCell[][]> {
    const { sql, params } = readRowsSql(query, this.sql, this.tenant(), limit);
    const rows = await this.conn.query(sql, params);
    return rows.map((r) => Object.values(r).map(readCell));
  }

  async countRows(query: IngestReadQuery): Promise<number> {
    const { sql, params } = readRowsSql(query, this.sql, this.tenant(), null);
    const rows = await this.conn.query(sql, params);
    return Number(rows[0]?.['n'] ?? 0);
  }

  async countBy(table: string, column: string): Promise<Map<string, number>> {
    const q = this.sql.quote;
    const rows = await this.conn.query(
      `SELECT ${this.sql.asText(q(column))} AS v, count(*) AS n FROM ${q(table)}${this.tenantWhere(1)} GROUP BY ${q(column)}`,
      this.tenantParams(),
    );
    return new Map(rows.map((r) => [String(r['v']), Number(r['n'])]));
  }

  private tenant() {
    return { column: this.options.tenantColumn, value: this.options.tenant };
  }

  /** Every page is visible once committed: nothing is held back for a publish. */
  async publish(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.close();
  }

  private async prepareSchema(): Promise<void> {
    const { quote, ddlType, storedAs } = this.sql;
    await this.conn.query(this.sql.stateTableSql);
    for (const table of this.options.tables) {
      const existing = await this.conn.query(this.sql.columnsSql, [table.name]);
      const have = new Map(existing.map((r) => [String(r['name']), String(r['type']).toLowerCase()]));
      const wanted = storedColumns(table, this.options.tenantColumn);
      if (have.size === 0) {
        await this.conn.query(
          `CREATE TABLE ${quote(table.name)} (${wanted.map((c) => `${quote(c.name)} ${ddlType(c.type)}`).join(', ')})`,
        );
        continue;
      }
      for (const c of wanted) {
        const type = have.get(c.name);
        if (type === undefined)
          await this.conn.query(
            `ALTER TABLE ${quote(table.name)} ADD COLUMN ${quote(c.name)} ${ddlType(c.type)}`,
          );
        else if (!storedAs(c.type).includes(type))
          throw new IngestSchemaError(
            `table ${table.name}: column ${c.name} is ${type} in the database, the pipeline writes ${c.type}`,
          );
      }
    }
  }

  /** Deletes the organisation's rows whose key the page holds, a bounded number of keys per statement. */
  private async deleteKeys(table: IngestTable, keys: readonly (readonly IngestCell[])[]): Promise<void> {
    const { quote, placeholder } = this.sql;
    const width = table.key.length;
    const perStatement = Math.max(1, Math.floor((MAX_PARAMS - 1) / width));
    for (let start = 0; start < keys.length; start += perStatement) {
      const chunk = keys.slice(start, start + perStatement);
      let n = 0;
      const tuples = chunk.map(() => `(${table.key.map(() => placeholder(++n)).join(', ')})`).join(', ');
      const tenant = this.options.tenantColumn;
      await this.conn.query(
        `DELETE FROM ${quote(table.name)} WHERE (${table.key.map(quote).join(', ')}) IN (${tuples})${
          tenant ? ` AND ${quote(tenant)} = ${placeholder(n + 1)}` : ''
        }`,
        [...chunk.flatMap((k) => table.key.map((_, i) => k[i] ?? null)), ...this.tenantParams()],
      );
    }
  }

  /** Multi-row INSERTs of the page's rows (plus the tenant), a bounded number of values per statement. */
  private async insertRows(table: IngestTable, rows: readonly (readonly IngestCell[])[]): Promise<void> {
    const { quote, placeholder } = this.sql;
    const tenant = this.options.tenantColumn;
    const columns = storedColumns(table, tenant);
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      let n = 0;
      const tuples = chunk.map(() => `(${columns.map(() => placeholder(++n)).join(', ')})`).join(', ');
      const params = chunk.flatMap((row) => [
        ...table.columns.map((_, i) => row[i] ?? null),
        ...(tenant ? [this.options.tenant] : []),
      ]);
      await this.conn.query(
        `INSERT INTO ${quote(table.name)} (${columns.map((c) => quote(c.name)).join(', ')}) VALUES ${tuples}`,
        params,
      );
    }
  }

  private async putState(stateKey: string, state: string): Promise<void> {
    await this.conn.query(this.sql.putStateSql, [stateKey, state]);
  }

  private tenantWhere(n: number): string {
    const tenant = this.options.tenantColumn;
    return tenant ? ` WHERE ${this.sql.quote(tenant)} = ${this.sql.placeholder(n)}` : '';
  }

  private tenantParams(): IngestCell[] {
    return this.options.tenantColumn ? [this.options.tenant] : [];
  }

  private async transaction(work: () => Promise<void>): Promise<void> {
    await this.conn.query('BEGIN');
    try {
      await work();
      await this.conn.query('COMMIT');
    } catch (err) {
      try {
        await this.conn.query('ROLLBACK');
      } catch {
        // The connection is gone (the server rolls back by itself); the original error is the one to report.
      }
      throw err;
    }
  }
}
