import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import pg from 'pg';

/**
 * Rows of several organisations in one table, loaded into DuckDB, PostgreSQL or MariaDB under a per-run
 * name (dropped afterwards), and a project that reads them with the tenant column visible in results:
 * the data of the tenant-isolation property test. `atlas` has most rows, `beacon` fewer, `cobalt` has
 * users but no rows, and `dormant` has rows but no users — values that only another tenant has are
 * how a leak would show.
 */
export interface OrderRow {
  readonly id: number;
  readonly org: string;
  readonly region: string;
  readonly status: string;
  readonly amount: number;
  readonly placed: string;
}

/** Organisations with users (cobalt has no rows at all). */
export const TENANTS = ['atlas', 'beacon', 'cobalt'] as const;
export type TenantSlug = (typeof TENANTS)[number];

const SHAPES: Record<string, { share: number; regions: string[]; statuses: string[] }> = {
  atlas: { share: 6, regions: ['north', 'south', 'east', 'hub'], statuses: ['open', 'closed', 'pending'] },
  beacon: { share: 3, regions: ['west', 'central', 'hub'], statuses: ['open', 'closed', 'review'] },
  dormant: { share: 1, regions: ['secret', 'north'], statuses: ['open', 'leaked'] },
};
const ORDER_COUNT = 400;

export const ORDER_ROWS: readonly OrderRow[] = Array.from({ length: ORDER_COUNT }, (_, k) => {
  const i = k + 1;
  // 6:3:1 by a fixed stride, so every tenant's rows are spread over ids, dates and amounts.
  const slot = (i * 7) % 10;
  const org = slot < 6 ? 'atlas' : slot < 9 ? 'beacon' : 'dormant';
  const shape = SHAPES[org] ?? { regions: ['x'], statuses: ['x'] };
  const day = new Date(Date.UTC(2024, 0, 1) + ((i * 13) % 365) * 86_400_000);
  return {
    id: i,
    org,
    region: shape.regions[i % shape.regions.length] ?? 'x',
    status: shape.statuses[(i >> 1) % shape.statuses.length] ?? 'x',
    amount: ((i * 37) % 1000) / 4,
    placed: day.toISOString().slice(0, 10),
  };
});

/** Every region and status of any tenant: requests ask for other tenants' values too. */
export const ALL_REGIONS = [...new Set(Object.values(SHAPES).flatMap((s) => s.regions))].sort();
export const ALL_STATUSES = [...new Set(Object.values(SHAPES).flatMap((s) => s.statuses))].sort();

export type Engine = 'duckdb' | 'postgres' | 'mysql';

export interface TenantFixture {
  readonly dir: string;
  readonly table: string;
  /** Environment for the app: the server URL under TENANT_TEST_URL. */
  readonly environment: Record<string, string>;
  teardown(): Promise<void>;
}

const COLUMNS = ['id', 'org', 'region', 'status', 'amount', 'placed'] as const;

function createSql(table: string): string {
  return `CREATE TABLE ${table} (id INTEGER NOT NULL PRIMARY KEY, org VARCHAR(20) NOT NULL,
    region VARCHAR(20) NOT NULL, status VARCHAR(20) NOT NULL, amount DECIMAL(10,2) NOT NULL, placed DATE NOT NULL)`;
}

function insert(table: string, placeholder: (n: number) => string) {
  let n = 0;
  const tuples = ORDER_ROWS.map(() => `(${COLUMNS.map(() => placeholder(++n)).join(', ')})`);
  return {
    sql: `INSERT INTO ${table} (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
    values: ORDER_ROWS.flatMap((r) => COLUMNS.map((c) => r[c])),
  };
}

export async function createTenantFixture(engine: Engine, url: string): Promise<TenantFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-tenants-'));
  const table = `trellis_tenants_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const { sql, values } = insert(table, engine === 'mysql' ? () => '?' : (n) => `$${n}`);
  let drop = async () => {};
  if (engine === 'duckdb') {
    mkdirSync(path.join(dir, 'data'));
    const instance = await DuckDBInstance.create(path.join(dir, 'data', 'tenants.duckdb'));
    const conn = await instance.connect();
    try {
      await conn.run(createSql(table));
      await conn.run(sql, values as (string | number)[]);
      await conn.run('CHECKPOINT');
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  } else if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(createSql(table));
      await client.query(sql, values);
    } finally {
      await client.end();
    }
    drop = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP TABLE IF EXISTS ${table}`).finally(() => c.end());
    };
  } else {
    const conn = await mysql.createConnection({ uri: url });
    try {
      await conn.query(createSql(table));
      await conn.execute(sql, values);
    } finally {
      await conn.end();
    }
    drop = async () => {
      const c = await mysql.createConnection({ uri: url });
      await c.query(`DROP TABLE IF EXISTS ${table}`).finally(() => c.end());
    };
  }
  writeProject(dir, engine, table);
  return {
    dir,
    table,
    environment: engine === 'duckdb' ? {} : { TENANT_TEST_URL: url },
    async teardown() {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One connection per source, so consecutive requests of different tenants run on the same pooled
 * connection; a table dataset and a SQL dataset (`:tenant` inside, tenant_column outside) with the
 * tenant column in their results; a dashboard for everyone and one for admins only.
 */
function writeProject(dir: string, engine: Engine, table: string): void {
  for (const d of ['datasets', 'dashboards', 'sql']) mkdirSync(path.join(dir, d), { recursive: true });
  const source =
    engine === 'duckdb'
      ? '{ type: duckdb, path: data/tenants.duckdb, pool: { size: 1, queue: 100 } }'
      : `{ type: ${engine}, url_env: TENANT_TEST_URL, pool: { size: 1, queue: 100 } }`;
  const columns = `columns:
  id: { type: number }
  org: { type: string }
  region: { type: string }
  status: { type: string }
  amount: { type: number }
  placed: { type: date }
measures:
  total_amount: { agg: sum, column: amount }
`;
  const files: Record<string, string> = {
    'trellis.yaml': `name: tenants\ntitle: Tenants\nsources:\n  main: ${source}\nlimits: { query_timeout: 10s, max_rows: 1000, max_bytes: 4MB }\n`,
    'datasets/orders.yaml': `table: ${table}\ntenant_column: org\nfreshness: 1h\n${columns}`,
    'sql/order_lines.sql': `SELECT id, org, region, status, amount, placed\nFROM ${table}\nWHERE org = :tenant AND amount >= :min_amount\n`,
    'datasets/order_lines.yaml': `sql: sql/order_lines.sql\ntenant_column: org\nfreshness: 1h\nparams:\n  min_amount: { type: number, default: 0 }\n${columns}`,
    'dashboards/ops.yaml': `title: Operations
dataset: orders
filters:
  - { id: region, type: multi_select, label: Region, column: region }
  - { id: status, type: multi_select, label: Status, column: status, options_from: order_lines }
  - { id: placed, type: date_range, label: Placed, column: placed }
  - { id: amount, type: number_range, label: Amount, column: amount }
  - { id: q, type: text, label: Status contains, column: status }
widgets:
  - { id: total, type: kpi, title: Orders, measure: count }
  - { id: by_org, type: bar, title: By organisation, dimension: org, measures: [count, total_amount] }
  - { id: list, type: table, title: Orders, columns: [id, org, region, status, amount, placed], page_size: 20 }
  - { id: grouped, type: table, title: By region, dimensions: [org, region], measures: [count, total_amount], page_size: 5 }
  - { id: amounts, type: histogram, title: Amounts, column: amount, bins: 8 }
  - { id: lines, type: table, title: Lines, dataset: order_lines, columns: [id, org, status, amount], page_size: 20 }
  - { id: lines_total, type: kpi, title: Lines, dataset: order_lines, measure: count }
`,
    'dashboards/admin.yaml': `title: Admin
dataset: orders
roles: [admin]
filters:
  - { id: region, type: multi_select, label: Region, column: region }
widgets:
  - { id: total, type: kpi, title: Orders, measure: count }
  - { id: list, type: table, title: Orders, columns: [id, org, region], page_size: 10 }
`,
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
}
