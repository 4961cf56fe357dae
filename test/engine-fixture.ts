import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import pg from 'pg';

/**
 * The engine contract suite's data: the same rows loaded into DuckDB, PostgreSQL and MariaDB, in tables
 * named with a per-run prefix (dropped afterwards), so runs on a shared server never meet.
 *
 * Values are chosen to sort the same under every engine's default collation (lower-case text whose
 * first differing characters are letters or digits), and to exercise what differs between engines:
 * NULLs everywhere, LIKE wildcards and quotes and backslashes in text, DECIMAL and DOUBLE, dates and
 * timestamps, booleans (TINYINT(1) on MySQL).
 */
export interface FixtureRow {
  readonly id: number;
  readonly name: string;
  readonly colour: string | null;
  readonly created: string;
  readonly updated_at: string;
  readonly price: number | null;
  readonly qty: number | null;
  readonly score: number;
  readonly active: boolean;
}

export const FIXTURE_COUNT = 300;
export const CANARY_COUNT = 5;
const COLOURS = ['red', 'green', 'blue', "o'brien", null] as const;

export const FIXTURE_ROWS: readonly FixtureRow[] = Array.from({ length: FIXTURE_COUNT }, (_, k) => {
  const i = k + 1;
  const day = new Date(Date.UTC(2020, 0, 1) + i * 3 * 86_400_000);
  const at = new Date(Date.UTC(2020, 0, 1) + i * 7 * 3_600_000 + (i % 60) * 60_000);
  return {
    id: i,
    name:
      `item ${i}` +
      (i % 7 === 0 ? ' 50% off_sale' : '') +
      (i % 11 === 0 ? " o'clock" : '') +
      (i % 13 === 0 ? ' back\\slash' : ''),
    colour: COLOURS[i % 5] ?? null,
    created: day.toISOString().slice(0, 10),
    updated_at: at.toISOString().slice(0, 19).replace('T', ' '),
    price: i % 17 === 0 ? null : ((i * 37) % 1000) / 4,
    qty: i % 6 === 0 ? null : i % 9,
    score: (i % 10) / 3,
    active: i % 2 === 0,
  };
});

const COLUMNS = ['id', 'name', 'colour', 'created', 'updated_at', 'price', 'qty', 'score', 'active'] as const;

export interface FixtureTables {
  readonly items: string;
  readonly canary: string;
}

export function fixtureTables(prefix: string): FixtureTables {
  return { items: `${prefix}items`, canary: `${prefix}canary` };
}

type Dialect = 'duckdb' | 'postgres' | 'mysql';

function createStatements(t: FixtureTables, dialect: Dialect): string[] {
  const ts = dialect === 'mysql' ? 'DATETIME' : 'TIMESTAMP';
  const dbl = dialect === 'postgres' ? 'DOUBLE PRECISION' : 'DOUBLE';
  return [
    `CREATE TABLE ${t.items} (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, colour VARCHAR(20),
      created DATE NOT NULL, updated_at ${ts} NOT NULL, price DECIMAL(10,2), qty INTEGER, score ${dbl} NOT NULL,
      active BOOLEAN NOT NULL)`,
    `CREATE TABLE ${t.canary} (id INTEGER NOT NULL PRIMARY KEY, note VARCHAR(50) NOT NULL)`,
  ];
}

function insertStatements(t: FixtureTables, placeholder: (n: number) => string) {
  let n = 0;
  const rows = FIXTURE_ROWS.map(() => `(${COLUMNS.map(() => placeholder(++n)).join(', ')})`);
  const values = FIXTURE_ROWS.flatMap((r) => COLUMNS.map((c) => r[c]));
  let m = 0;
  const canaryRows = Array.from({ length: CANARY_COUNT }, () => `(${placeholder(++m)}, ${placeholder(++m)})`);
  const canaryValues = Array.from({ length: CANARY_COUNT }, (_, i) => [i + 1, 'do not touch']).flat();
  return [
    { sql: `INSERT INTO ${t.items} (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`, values },
    { sql: `INSERT INTO ${t.canary} (id, note) VALUES ${canaryRows.join(', ')}`, values: canaryValues },
  ];
}

export async function loadDuckDB(file: string, t: FixtureTables): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  try {
    for (const sql of createStatements(t, 'duckdb')) await conn.run(sql);
    for (const { sql, values } of insertStatements(t, (n) => `$${n}`)) await conn.run(sql, values);
    await conn.run('CHECKPOINT');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export async function loadPostgres(url: string, t: FixtureTables): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of createStatements(t, 'postgres')) await client.query(sql);
    for (const { sql, values } of insertStatements(t, (n) => `$${n}`)) await client.query(sql, values);
  } finally {
    await client.end();
  }
}

export async function dropPostgres(url: string, t: FixtureTables): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${t.items}, ${t.canary}`);
  } finally {
    await client.end();
  }
}

export async function loadMySQL(url: string, t: FixtureTables): Promise<void> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    for (const sql of createStatements(t, 'mysql')) await conn.query(sql);
    for (const { sql, values } of insertStatements(t, () => '?')) await conn.execute(sql, values);
  } finally {
    await conn.end();
  }
}

export async function dropMySQL(url: string, t: FixtureTables): Promise<void> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    await conn.query(`DROP TABLE IF EXISTS ${t.items}, ${t.canary}`);
  } finally {
    await conn.end();
  }
}

/** Sessions of the server whose current or last statement contains `marker` (ours excluded). */
export async function postgresSessionsWith(url: string, marker: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND position($1 in query) > 0',
      [marker],
    );
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Threads of the server running a statement that contains `marker` (SHOW FULL PROCESSLIST). */
export async function mysqlStatementsWith(url: string, marker: string): Promise<number> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SHOW FULL PROCESSLIST');
    const self = conn.threadId;
    return rows.filter((r) => r.Id !== self && typeof r.Info === 'string' && r.Info.includes(marker)).length;
  } finally {
    await conn.end();
  }
}

export async function canaryCountPostgres(url: string, t: FixtureTables): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.canary}`);
    return Number(r.rows[0]?.n);
  } finally {
    await client.end();
  }
}

export async function canaryCountMySQL(url: string, t: FixtureTables): Promise<number> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT count(*) AS n FROM ${t.canary}`);
    return Number(rows[0]?.n);
  } finally {
    await conn.end();
  }
}

/** Can a session be opened at all? The reason if not. */
export async function unreachableReason(
  kind: 'postgres' | 'mysql',
  url: string,
): Promise<string | undefined> {
  try {
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
      await client.connect();
      await client.end();
    } else {
      const conn = await mysql.createConnection({ uri: url, connectTimeout: 3_000 });
      await conn.end();
    }
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message || err.constructor.name : String(err);
  }
}
