import type { ColumnType } from '../../config/project/project.types.js';
import { IDENTIFIER, type SourceConfig } from '../../config/project/project.schema.js';
import type { Engine } from '../../query/engine.js';
import { openEngine } from '../../query/engines/index.js';

/** A table found in the source, with what a first dashboard needs to know about it. */
export interface TableInfo {
  /** Schema (or DuckDB schema; MySQL: none — the URL's database is the only one read). */
  readonly schema: string | undefined;
  readonly name: string;
  readonly columns: readonly ColumnInfo[];
  /** Columns left out: a type dashboards cannot use, or a name that is not a plain identifier. */
  readonly skipped: readonly string[];
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: ColumnType;
  /** Distinct values among the first SAMPLE_ROWS rows (string columns only). */
  readonly distinct?: number;
}

/** Rows read to judge a column's cardinality: enough to tell 12 regions from 40,000 ids, and bounded. */
const SAMPLE_ROWS = 100_000;
const MAX_TABLES = 500;
const RUN = { timeoutMs: 60_000, maxRows: MAX_TABLES, maxBytes: 4 * 1024 * 1024 };

/**
 * The catalog query per source type. information_schema is standard, but which schemas are the
 * user's is not: every non-system schema on PostgreSQL, the URL's database on MySQL, the file's own
 * catalog on DuckDB.
 */
const TABLES_SQL: Record<SourceConfig['type'], string> = {
  postgres:
    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog') AND table_schema NOT LIKE 'pg\\_%' AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY 1, 2",
  mysql:
    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY 1, 2",
  duckdb:
    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY 1, 2",
};

/** The schema written unqualified (the engine's default). */
const DEFAULT_SCHEMA: Record<SourceConfig['type'], string | undefined> = {
  postgres: undefined, // always qualified: public.sales says where it is
  mysql: undefined,
  duckdb: 'main',
};

export class SourceIntrospector {
  private constructor(
    private readonly engine: Engine,
    private readonly type: SourceConfig['type'],
  ) {}

  /** Opens the source through the engine seam (read-only for DuckDB; pooled for servers). */
  static async open(
    source: SourceConfig,
    projectDir: string,
    environment: Readonly<Record<string, string>>,
  ): Promise<SourceIntrospector> {
    return new SourceIntrospector(await openEngine(source, projectDir, environment), source.type);
  }

  /** `schema.table` names (or `table` in the default schema / on MySQL), plain identifiers only. */
  async listTables(): Promise<{ schema: string | undefined; name: string }[]> {
    const r = await this.engine.run({ sql: TABLES_SQL[this.type], params: [] }, RUN);
    return r.rows
      .map(([schema, name]) => ({
        schema: this.type === 'mysql' || schema === DEFAULT_SCHEMA[this.type] ? undefined : String(schema),
        name: String(name),
      }))
      .filter((t) => IDENTIFIER.test(t.name) && (t.schema === undefined || IDENTIFIER.test(t.schema)));
  }

  quotedTable(t: { schema: string | undefined; name: string }): string {
    const q = (s: string) => this.engine.dialect.quoteIdentifier(s);
    return t.schema === undefined ? q(t.name) : `${q(t.schema)}.${q(t.name)}`;
  }

  /** Typed columns (via the engine's describe) and the cardinality of each string column. */
  async describeTable(t: { schema: string | undefined; name: string }): Promise<TableInfo> {
    const from = this.quotedTable(t);
    const described = await this.engine.describe({ sql: `SELECT * FROM ${from}`, params: [] });
    const columns: ColumnInfo[] = [];
    const skipped: string[] = [];
    for (const c of described) {
      if (c.type && IDENTIFIER.test(c.name)) columns.push({ name: c.name, type: c.type });
      else skipped.push(`${c.name} (${c.nativeType})`);
    }
    const strings = columns.filter((c) => c.type === 'string');
    if (strings.length === 0) return { ...t, columns, skipped };
    const q = (s: string) => this.engine.dialect.quoteIdentifier(s);
    const counts = strings.map((c, i) => `count(DISTINCT ${q(c.name)}) AS ${q(`d${i}`)}`).join(', ');
    const r = await this.engine.run(
      {
        sql: `SELECT ${counts} FROM (SELECT * FROM ${from} ${this.engine.dialect.limitOffset(this.engine.dialect.placeholder(1), undefined)}) ${q('s')}`,
        params: [SAMPLE_ROWS],
      },
      RUN,
    );
    const row = r.rows[0] ?? [];
    const distinct = new Map(strings.map((c, i) => [c.name, Number(row[i] ?? 0)]));
    return {
      ...t,
      columns: columns.map((c) => (distinct.has(c.name) ? { ...c, distinct: distinct.get(c.name) } : c)),
      skipped,
    };
  }

  /** Up to `limit` distinct values of a column (tenant candidates), sorted. */
  async distinctValues(t: { schema: string | undefined; name: string }, column: string, limit: number) {
    const q = (s: string) => this.engine.dialect.quoteIdentifier(s);
    const d = this.engine.dialect;
    const r = await this.engine.run(
      {
        sql: `SELECT DISTINCT ${q(column)} FROM ${this.quotedTable(t)} WHERE ${q(column)} IS NOT NULL ORDER BY 1 ${d.limitOffset(d.placeholder(1), undefined)}`,
        params: [limit],
      },
      RUN,
    );
    return r.rows.map((row) => String(row[0]));
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
