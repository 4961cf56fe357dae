import { readRowsSql } from './ingest-read-statements.js';
import type { SqlDialect } from '../dialect.js';
import type { IngestColumnType } from '../ingest-writer.js';
import type { IngestSql } from '../server-ingest-writer.js';

/** The state table of the server ingest writers: one checkpoint per pipeline and target. */
const STATE_TABLE = '_trellis_pipeline_state';

/** What differs between the server engines' ingest statements; the rest is standard SQL, written once below. */
export interface IngestFlavour {
  quote(identifier: string): string;
  /** The placeholder for the `n`-th bound value (1-based). */
  placeholder(n: number): string;
  /** The engine's query dialect (an enrichment over a dataset compiles the dataset with it). */
  readonly dialect: SqlDialect;
  /** The column type in CREATE TABLE / ADD COLUMN. */
  ddlType(type: IngestColumnType): string;
  storedAs: IngestSql['storedAs'];
  /** An expression as text. */
  asText(expression: string): string;
  /** SELECT name, type of the columns of the table named by placeholder 1, in the current schema. */
  readonly columnsOf: string;
  /** The state table's column types, in its CREATE TABLE. */
  readonly stateColumns: { readonly key: string; readonly state: string; readonly time: string };
  /** Inserts or replaces one checkpoint (state_key, state bound; updated_at now, UTC). */
  putState(table: string): string;
}

/**
 * The server ingest writer's statements (server-ingest-writer.ts) for one engine's flavour. The
 * identifiers are the pipeline's (validated project files), quoted; every value is a placeholder.
 */
export function serverIngestStatements(f: IngestFlavour): IngestSql {
  const { quote, placeholder } = f;
  const state = quote(STATE_TABLE);
  const tenantWhere = (tenantColumn: string | null) =>
    tenantColumn ? ` WHERE ${quote(tenantColumn)} = ${placeholder(1)}` : '';
  const tuples = (count: number, width: number, from = 0) => {
    let n = from;
    return Array.from(
      { length: count },
      () => `(${Array.from({ length: width }, () => placeholder(++n)).join(', ')})`,
    ).join(', ');
  };
  return {
    storedAs: f.storedAs,
    columnsOf: f.columnsOf,
    stateTable: `CREATE TABLE IF NOT EXISTS ${state} (state_key ${f.stateColumns.key} NOT NULL, state ${f.stateColumns.state} NOT NULL, updated_at ${f.stateColumns.time} NOT NULL, PRIMARY KEY (state_key))`,
    selectState: `SELECT ${quote('state')} AS state FROM ${state} WHERE ${quote('state_key')} = ${placeholder(1)}`,
    putState: f.putState(state),
    createTable: (table, columns) =>
      `CREATE TABLE ${quote(table)} (${columns.map((c) => `${quote(c.name)} ${f.ddlType(c.type)}`).join(', ')})`,
    addColumn: (table, c) => `ALTER TABLE ${quote(table)} ADD COLUMN ${quote(c.name)} ${f.ddlType(c.type)}`,
    deleteKeys: (table, key, keys, tenantColumn) =>
      `DELETE FROM ${quote(table)} WHERE (${key.map(quote).join(', ')}) IN (${tuples(keys, key.length)})${
        tenantColumn ? ` AND ${quote(tenantColumn)} = ${placeholder(keys * key.length + 1)}` : ''
      }`,
    insertRows: (table, columns, rows) =>
      `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${tuples(rows, columns.length)}`,
    maxValue: (table, column, tenantColumn) =>
      `SELECT ${f.asText(`max(${quote(column)})`)} AS v FROM ${quote(table)}${tenantWhere(tenantColumn)}`,
    count: (table, tenantColumn) => `SELECT count(*) AS n FROM ${quote(table)}${tenantWhere(tenantColumn)}`,
    countBy: (table, column, tenantColumn) =>
      `SELECT ${f.asText(quote(column))} AS v, count(*) AS n FROM ${quote(table)}${tenantWhere(tenantColumn)} GROUP BY ${quote(column)}`,
    readRows: (query, tenant, limit) =>
      readRowsSql(query, { quote, placeholder, dialect: f.dialect }, tenant, limit),
  };
}
