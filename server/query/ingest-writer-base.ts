import { readCell, type IngestReadQuery } from './ingest-read.js';
import type {
  IngestCell,
  IngestRows,
  IngestTable,
  IngestWriter,
  IngestWriterOptions,
} from './ingest-writer.js';

/** One connection of an ingest writer: bound values only; rows as objects (none for statements without rows). */
export interface IngestConnection {
  query(sql: string, params?: readonly IngestCell[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * The statements every ingest writer reads its state and watermarks with, from its engine (identifiers
 * quoted from project files; the placeholders numbered as written, values bound).
 */
export interface IngestReadSql {
  /** The checkpoint (`state`) under the key bound as the first value. */
  readonly selectState: string;
  /** `v`: the column's largest value as text; the tenant, when there is a tenant column, bound first. */
  maxValue(table: string, column: string, tenantColumn: string | null): string;
  /** `n`: the rows, the tenant bound first when there is a tenant column. */
  count(table: string, tenantColumn: string | null): string;
  /** `v` (as text), `n`: the rows per value of a column, the tenant bound first when there is a tenant column. */
  countBy(table: string, column: string, tenantColumn: string | null): string;
  /**
   * The enrichment read (ingest-read.ts): the next `limit` rows of the query, or `n`, their count,
   * when `limit` is null (engines/ingest-read-statements.ts builds it for each engine).
   */
  readRows(
    query: IngestReadQuery,
    tenant: { readonly column: string | null; readonly value: string },
    limit: number | null,
  ): { sql: string; params: IngestCell[] };
}

/**
 * What every IngestWriter shares, whatever the engine: state read and saved in a transaction, each
 * page replaced by key with its checkpoint in ONE transaction (ingest-writer.ts), the organisation's
 * watermark and row count, close once. An engine gives the connection, its statements, how it
 * replaces a table's rows for a page's keys and how it stores a checkpoint; optionally how it stages a
 * page before the transaction (DuckDB: appenders into temp tables) and clears the stage after.
 */
export abstract class IngestWriterBase implements IngestWriter {
  abstract readonly capabilities: IngestWriter['capabilities'];
  private closed = false;

  protected constructor(
    protected readonly conn: IngestConnection,
    private readonly readSql: IngestReadSql,
    protected readonly options: IngestWriterOptions,
  ) {}

  /** Inside the page's transaction: the table's rows with the page's keys replaced by `rows`. */
  protected abstract replaceRows(
    table: IngestTable,
    keys: readonly (readonly IngestCell[])[],
    rows: readonly (readonly IngestCell[])[],
  ): Promise<void>;

  /** Inside the page's transaction: `rows` appended to a ledger table (options.ledgers). */
  protected abstract appendRows(table: IngestTable, rows: readonly (readonly IngestCell[])[]): Promise<void>;

  /** Inside a transaction: stores the checkpoint under `stateKey`. */
  protected abstract putState(stateKey: string, state: string): Promise<void>;

  /** Before the page's transaction (nothing by default). */
  protected async stagePage(
    _keys: readonly (readonly IngestCell[])[],
    _rows: IngestRows,
    _appended: IngestRows,
  ): Promise<void> {}

  /** After the page, committed or not (nothing by default). */
  protected async clearPage(): Promise<void> {}

  async readState(stateKey: string): Promise<string | null> {
    const rows = await this.conn.query(this.readSql.selectState, [stateKey]);
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
    appended: IngestRows = new Map(),
  ): Promise<number> {
    let inserted = 0;
    for (const name of appended.keys())
      if (!this.options.ledgers?.some((t) => t.name === name))
        throw new Error(`${name} is not a ledger table of this writer`);
    try {
      await this.stagePage(keys, rows, appended);
      await this.transaction(async () => {
        for (const table of this.options.tables) {
          const tableRows = rows.get(table.name) ?? [];
          await this.replaceRows(table, keys, tableRows);
          inserted += tableRows.length;
        }
        for (const ledger of this.options.ledgers ?? []) {
          const ledgerRows = appended.get(ledger.name) ?? [];
          if (ledgerRows.length > 0) await this.appendRows(ledger, ledgerRows);
        }
        await this.putState(stateKey, state);
      });
    } finally {
      await this.clearPage();
    }
    return inserted;
  }

  async maxValue(table: string, column: string): Promise<string | null> {
    const { tenantColumn } = this.options;
    const rows = await this.conn.query(
      this.readSql.maxValue(table, column, tenantColumn),
      this.tenantParams(),
    );
    const v = rows[0]?.['v'];
    return typeof v === 'string' ? v : null;
  }

  async count(table: string): Promise<number> {
    const rows = await this.conn.query(
      this.readSql.count(table, this.options.tenantColumn),
      this.tenantParams(),
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async readRows(query: IngestReadQuery, limit: number): Promise<IngestCell[][]> {
    const { sql, params } = this.readSql.readRows(query, this.tenant(), limit);
    const rows = await this.conn.query(sql, params);
    return rows.map((r) => Object.values(r).map(readCell));
  }

  async countRows(query: IngestReadQuery): Promise<number> {
    const { sql, params } = this.readSql.readRows(query, this.tenant(), null);
    const rows = await this.conn.query(sql, params);
    return Number(rows[0]?.['n'] ?? 0);
  }

  async countBy(table: string, column: string): Promise<Map<string, number>> {
    const rows = await this.conn.query(
      this.readSql.countBy(table, column, this.options.tenantColumn),
      this.tenantParams(),
    );
    return new Map(rows.map((r) => [String(r['v']), Number(r['n'])]));
  }

  abstract publish(): Promise<void>;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.close();
  }

  private tenant(): { readonly column: string | null; readonly value: string } {
    return { column: this.options.tenantColumn, value: this.options.tenant };
  }

  /** The tenant as a bound value, when the pipeline has a tenant column. */
  protected tenantParams(): IngestCell[] {
    return this.options.tenantColumn ? [this.options.tenant] : [];
  }

  protected async transaction(work: () => Promise<void>): Promise<void> {
    await this.conn.query('BEGIN');
    try {
      await work();
      await this.conn.query('COMMIT');
    } catch (err) {
      try {
        await this.conn.query('ROLLBACK');
      } catch {
        // The transaction is already gone (an interrupt, a failed commit or a lost connection rolls
        // back by itself); the original error is the one to report.
      }
      throw err;
    }
  }
}
