import type { ColumnType } from '../../config/project/project.types.js';
import { IDENTIFIER, type SourceConfig } from '../../config/project/project.schema.js';
import type { Engine } from '../../query/engine.js';
import { openEngine } from '../../query/engines/index.js';
import {
  distinctCountsStatement,
  distinctValuesStatement,
  listTablesStatement,
  wholeTableStatement,
} from '../../query/engines/introspection-statements.js';

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
    const r = await this.engine.run(listTablesStatement(this.type), RUN);
    return r.rows
      .map(([schema, name]) => ({
        schema: this.type === 'mysql' || schema === DEFAULT_SCHEMA[this.type] ? undefined : String(schema),
        name: String(name),
      }))
      .filter((t) => IDENTIFIER.test(t.name) && (t.schema === undefined || IDENTIFIER.test(t.schema)));
  }

  /** Typed columns (via the engine's describe) and the cardinality of each string column. */
  async describeTable(t: { schema: string | undefined; name: string }): Promise<TableInfo> {
    const described = await this.engine.describe(wholeTableStatement(this.engine.dialect, t));
    const columns: ColumnInfo[] = [];
    const skipped: string[] = [];
    for (const c of described) {
      if (c.type && IDENTIFIER.test(c.name)) columns.push({ name: c.name, type: c.type });
      else skipped.push(`${c.name} (${c.nativeType})`);
    }
    const strings = columns.filter((c) => c.type === 'string');
    if (strings.length === 0) return { ...t, columns, skipped };
    const r = await this.engine.run(
      distinctCountsStatement(
        this.engine.dialect,
        t,
        strings.map((c) => c.name),
        SAMPLE_ROWS,
      ),
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
    const r = await this.engine.run(distinctValuesStatement(this.engine.dialect, t, column, limit), RUN);
    return r.rows.map((row) => String(row[0]));
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
