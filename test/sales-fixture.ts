import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import pg from 'pg';

/**
 * A user's own data (each organisation has every region: acme's rows are the even ids), as `trellis init` meets it: a `sales`-like table (an organisation column, a
 * low-cardinality region, a date, an amount) on PostgreSQL in a schema of its own, on MariaDB under
 * a unique name, and as a folder of Parquet/CSV files. The servers are shared with other test runs,
 * so every name is unique to the caller; drop() removes what was made.
 */
export const SALES_ROWS = 2000;
export const SALES_ORGS = ['acme', 'globex'] as const;

export async function pgSalesSchema(url: string, schema: string): Promise<{ drop(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(
    `CREATE TABLE ${schema}.sales AS SELECT i AS id, (ARRAY['acme','globex'])[1 + i % 2] AS org, (ARRAY['north','south','east','west'])[1 + (i / 2) % 4] AS region, DATE '2024-01-01' + i AS sold_on, (i % 97) * 1.25 AS amount FROM generate_series(1, ${SALES_ROWS}) i`,
  );
  return {
    async drop() {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

export async function mariadbSalesTable(url: string, table: string): Promise<{ drop(): Promise<void> }> {
  const conn = await mysql.createConnection(url);
  await conn.query(
    `CREATE TABLE ${table} (id INT PRIMARY KEY, org VARCHAR(20), region VARCHAR(20), sold_on DATE, amount DECIMAL(10,2))`,
  );
  await conn.query(
    `INSERT INTO ${table} SELECT seq, ELT(1 + seq % 2, 'acme', 'globex'), ELT(1 + (seq DIV 2) % 4, 'north', 'south', 'east', 'west'), DATE '2024-01-01' + INTERVAL seq DAY, (seq % 97) * 1.25 FROM seq_1_to_${SALES_ROWS}`,
  );
  return {
    async drop() {
      await conn.query(`DROP TABLE IF EXISTS ${table}`);
      await conn.end();
    },
  };
}

/** sales.parquet, orders/part-0.parquet (a partitioned table) and codes.csv in `folder`. */
export async function salesFilesFolder(folder: string): Promise<void> {
  mkdirSync(path.join(folder, 'orders'), { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const q = (p: string) => `'${p.replace(/'/g, "''")}'`;
  await c.run(
    `COPY (SELECT i AS id, ['acme','globex'][1 + i % 2] AS org, ['north','south','east','west'][1 + (i // 2) % 4] AS region, DATE '2024-01-01' + CAST(i AS INTEGER) AS sold_on, (i % 97) * 1.25 AS amount FROM range(${SALES_ROWS}) t(i)) TO ${q(path.join(folder, 'sales.parquet'))} (FORMAT parquet)`,
  );
  await c.run(
    `COPY (SELECT i AS id, 'p' || i AS product FROM range(20) t(i)) TO ${q(path.join(folder, 'orders', 'part-0.parquet'))} (FORMAT parquet)`,
  );
  await c.run(`COPY (SELECT 'x' AS code, 1 AS n) TO ${q(path.join(folder, 'codes.csv'))} (HEADER)`);
  c.closeSync();
  db.closeSync();
}
