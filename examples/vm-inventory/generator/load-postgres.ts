/**
 * Loads generated inventory tables into a PostgreSQL database, so the example can run on a server
 * (`server_url_env`) with exactly the data its DuckDB file has.
 *
 * One transaction: the example's tables are dropped, created and filled, then committed together,
 * so a server reading the database sees the old data or the new, never a mix. Only the example's
 * own table names are touched. Rows go in as multi-row INSERTs with bound parameters.
 *
 * This module imports `pg` directly: ESLint's driver rules cover server/ (where only the engine
 * folders may talk to a driver); an example's data loader is a stand-alone tool, like the
 * clinical-trials generator that writes DuckDB through @duckdb/node-api.
 */
import pg from 'pg';
import type { ColumnKind, InventoryTables, TableSpec } from './inventory-tables.js';
import { INVENTORY_TABLES, TABLE_NAMES, forEachTable } from './inventory-tables.js';

const POSTGRES_TYPES: Readonly<Record<ColumnKind, string>> = {
  text: 'TEXT',
  integer: 'INTEGER',
  double: 'DOUBLE PRECISION',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

/** PostgreSQL allows 65,535 bound values per statement; batches stay well below it. */
const MAX_VALUES_PER_STATEMENT = 30_000;
const MAX_ROWS_PER_STATEMENT = 2_000;

export interface LoadPostgresOptions {
  /** Connection URL (holds credentials: never logged here). */
  readonly url: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function createTableSql<R>(spec: TableSpec<R>): string {
  const defs = spec.columns.map(
    (c) => `${quote(c.name)} ${POSTGRES_TYPES[c.kind]}${c.name === spec.key ? ' PRIMARY KEY' : ''}`,
  );
  return `CREATE TABLE ${quote(spec.name)} (${defs.join(', ')})`;
}

async function insertRows<R>(client: pg.Client, spec: TableSpec<R>, rows: readonly R[]): Promise<void> {
  const width = spec.columns.length;
  const perStatement = Math.max(
    1,
    Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_VALUES_PER_STATEMENT / width)),
  );
  const head = `INSERT INTO ${quote(spec.name)} (${spec.columns.map((c) => quote(c.name)).join(', ')}) VALUES `;
  for (let start = 0; start < rows.length; start += perStatement) {
    const batch = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const slots = spec.columns.map((c) => {
        values.push(row[c.name] ?? null);
        return `$${values.length}`;
      });
      return `(${slots.join(', ')})`;
    });
    await client.query(head + tuples.join(', '), values);
  }
}

export async function loadPostgres(tables: InventoryTables, options: LoadPostgresOptions): Promise<void> {
  const client = new pg.Client({
    connectionString: options.url,
    application_name: 'trellis-vm-inventory-loader',
  });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Dropped in reverse creation order; IF EXISTS so a first load and a reload are the same command.
    for (const table of [...TABLE_NAMES].reverse())
      await client.query(`DROP TABLE IF EXISTS ${quote(INVENTORY_TABLES[table].name)}`);
    await forEachTable(tables, async (spec, rows) => {
      await client.query(createTableSql(spec));
      await insertRows(client, spec, rows);
    });
    await client.query('COMMIT');
  } catch (err) {
    // The load's own error is the one to report; a failing ROLLBACK (the connection went down with
    // it) adds nothing, and the server rolls back an abandoned transaction by itself.
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
    throw err;
  }
  try {
    // Fresh tables have no planner statistics until autovacuum gets to them.
    for (const table of TABLE_NAMES) await client.query(`ANALYZE ${quote(INVENTORY_TABLES[table].name)}`);
  } finally {
    await client.end();
  }
}

/** host:port/database of a URL, for messages: the URL itself may hold a password. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || 5432}${u.pathname || '/'}`;
  } catch {
    return '(not a valid URL)';
  }
}
