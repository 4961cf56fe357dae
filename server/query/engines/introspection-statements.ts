import type { SourceConfig } from '../../config/project/project.schema.js';
import type { SqlDialect } from '../dialect.js';
import type { CompiledQuery as Statement } from '../compiler.js';

/**
 * The statements `trellis init --from` reads a source with, in one place behind the engine seam:
 * the catalog query per engine, and three reads of one table whose names the catalog itself gave
 * (checked as plain identifiers by the caller, then quoted here by the engine's dialect). Every
 * value, the row limits included, is bound.
 */

/** A table as the catalog named it: no schema means the engine's default one (MySQL: the URL's database). */
export interface CatalogTable {
  readonly schema: string | undefined;
  readonly name: string;
}

/**
 * information_schema is standard, but which schemas are the user's is not: every non-system schema on
 * PostgreSQL, the URL's database on MySQL, the file's own catalog on DuckDB.
 */
const TABLES_SQL: Record<SourceConfig['type'], string> = {
  postgres:
    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog') AND table_schema NOT LIKE 'pg\\_%' AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY 1, 2",
  mysql:
    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY 1, 2",
  duckdb:
    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY 1, 2",
};

export function listTablesStatement(type: SourceConfig['type']): Statement {
  return { sql: TABLES_SQL[type], params: [] };
}

export function quotedTable(dialect: SqlDialect, t: CatalogTable): string {
  const q = (s: string) => dialect.quoteIdentifier(s);
  return t.schema === undefined ? q(t.name) : `${q(t.schema)}.${q(t.name)}`;
}

/** Every column of the table, for the engine's describe (no row is read). */
export function wholeTableStatement(dialect: SqlDialect, t: CatalogTable): Statement {
  return { sql: `SELECT * FROM ${quotedTable(dialect, t)}`, params: [] };
}

/** Distinct counts of `columns` (as d0, d1, …) among the table's first `sampleRows` rows. */
export function distinctCountsStatement(
  dialect: SqlDialect,
  t: CatalogTable,
  columns: readonly string[],
  sampleRows: number,
): Statement {
  const q = (s: string) => dialect.quoteIdentifier(s);
  const counts = columns.map((c, i) => `count(DISTINCT ${q(c)}) AS ${q(`d${i}`)}`).join(', ');
  const sample = `SELECT * FROM ${quotedTable(dialect, t)} ${dialect.limitOffset(dialect.placeholder(1), undefined)}`;
  return { sql: `SELECT ${counts} FROM (${sample}) ${q('s')}`, params: [sampleRows] };
}

/** Up to `limit` distinct non-null values of one column, sorted. */
export function distinctValuesStatement(
  dialect: SqlDialect,
  t: CatalogTable,
  column: string,
  limit: number,
): Statement {
  const c = dialect.quoteIdentifier(column);
  return {
    sql: `SELECT DISTINCT ${c} FROM ${quotedTable(dialect, t)} WHERE ${c} IS NOT NULL ORDER BY 1 ${dialect.limitOffset(dialect.placeholder(1), undefined)}`,
    params: [limit],
  };
}
