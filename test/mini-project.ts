import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * A small, complete project in a temp folder: a DuckDB file with an `items` table (every column
 * type), a `canary` table that no query should ever change, a CSV inside the allowed data folder,
 * and a dashboard with one filter of every type and widgets of every kind.
 */
export interface MiniProject {
  readonly dir: string;
  readonly db: string;
  readonly itemCount: number;
  readonly canaryCount: number;
}

// Temp projects are removed when the test process exits (engines must be closed by then).
const created: string[] = [];
process.once('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

export const MINI_ITEMS = 500;
export const MINI_CANARY = 7;

export async function createMiniProject(overrides: Record<string, string> = {}): Promise<MiniProject> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-mini-'));
  created.push(dir);
  for (const d of ['data', 'datasets', 'dashboards', 'sql']) mkdirSync(path.join(dir, d));
  const db = path.join(dir, 'data', 'mini.duckdb');
  const instance = await DuckDBInstance.create(db);
  const conn = await instance.connect();
  await conn.run(`CREATE TABLE items AS
    SELECT i AS id,
           'item ' || i || CASE WHEN i % 7 = 0 THEN ' 50% off_sale' ELSE '' END AS name,
           ['red', 'green', 'blue', 'O''Brien', NULL][1 + i % 5] AS colour,
           DATE '2020-01-01' + CAST(i * 3 AS INTEGER) AS created,
           TIMESTAMP '2020-01-01 00:00:00' + INTERVAL (i) HOUR AS updated_at,
           (i % 50) * 1.5 AS price,
           i % 2 = 0 AS active
    FROM range(${MINI_ITEMS}) t(i)`);
  await conn.run(
    `CREATE TABLE canary AS SELECT i AS id, 'do not touch' AS note FROM range(${MINI_CANARY}) t(i)`,
  );
  await conn.run('CHECKPOINT');
  conn.closeSync();
  instance.closeSync();
  writeFileSync(path.join(dir, 'data', 'allowed.csv'), 'a,b\n1,2\n');

  const files: Record<string, string> = {
    'trellis.yaml': `name: mini
title: Mini
sources:
  main: { type: duckdb, path: data/mini.duckdb, pool: { size: 2, queue: 50 } }
limits: { query_timeout: 5s, max_rows: 1000, max_bytes: 1MB }
`,
    'datasets/items.yaml': `table: items
shared: true
columns:
  id: { type: number }
  name: { type: string }
  colour: { type: string }
  created: { type: date }
  updated_at: { type: timestamp }
  price: { type: number, format: decimal }
  active: { type: boolean }
measures:
  items: { agg: count, label: Items }
  revenue: { agg: sum, column: price }
  avg_price: { agg: avg, column: price }
`,
    'datasets/canary.yaml': `table: canary
shared: true
columns:
  id: { type: number }
  note: { type: string }
`,
    'dashboards/main.yaml': `title: Main
dataset: items
filters:
  - { id: colour, type: multi_select, label: Colour, column: colour }
  - { id: created, type: date_range, label: Created, column: created }
  - { id: updated, type: date_range, label: Updated, column: updated_at }
  - { id: price, type: number_range, label: Price, column: price }
  - { id: q, type: text, label: Name contains, column: name }
widgets:
  - { id: total, type: kpi, title: Items, measure: items }
  - { id: by_colour, type: bar, title: By colour, dimension: colour, measures: [items, revenue] }
  - { id: per_month, type: line, title: Per month, dimension: created, grain: month, measures: [items] }
  - { id: share, type: pie, title: Share, dimension: colour, measure: items }
  - { id: scatter, type: scatter, title: Scatter, dimension: colour, x: items, y: avg_price }
  - { id: prices, type: histogram, title: Prices, column: price, bins: 10 }
  - { id: heat, type: heatmap, title: Heat, x: created, x_grain: year, y: colour, measure: items }
  - { id: list, type: table, title: List, columns: [id, name, colour, created, price], sort: { by: id, direction: asc }, page_size: 10 }
  - { id: grouped, type: table, title: Grouped, dimensions: [colour], measures: [items, revenue], page_size: 3 }
  - { id: canary_rows, type: kpi, title: Canary, dataset: canary, measure: count }
  - { id: note, type: text, markdown: "Hello" }
`,
    ...overrides,
  };
  for (const [file, text] of Object.entries(files)) {
    // Overrides may add files in other folders (floorplans/…).
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return { dir, db, itemCount: MINI_ITEMS, canaryCount: MINI_CANARY };
}
