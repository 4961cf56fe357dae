import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { capturedIo } from '../../test/cli-io.js';
import { clinicalTrialsDb, requireExampleData } from '../../test/paths.js';
import { serviceGate } from '../../test/test-services.js';
import { mariadbSalesTable, pgSalesSchema, salesFilesFolder } from '../../test/sales-fixture.js';
import { loadProject } from '../config/project/load-project.js';
import { initCommand } from './init.command.js';

const root = mkdtempSync(path.join(tmpdir(), 'trellis-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function init(args: string[]) {
  const cli = capturedIo();
  return cli.result(await initCommand(args, cli.io));
}

/** Every file of the project, so a test can say no secret reached any of them. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.duckdb') && !e.parentPath.includes('.trellis'))
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

test('from the clinical-trials DuckDB file: datasets, dashboards and a project that checks', async () => {
  requireExampleData();
  const copy = path.join(root, 'trials-copy.duckdb');
  copyFileSync(clinicalTrialsDb, copy);
  const dir = path.join(root, 'trials');
  const r = await init([
    dir,
    '--from',
    copy,
    '--tables',
    'studies,sponsors',
    '--tenant-column',
    'org',
    '--yes',
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('It passes trellis check.');
  const loaded = await loadProject(dir);
  expect(loaded.ok).toBe(true);
  if (!loaded.ok) return;
  const studies = loaded.project.datasets.get('studies');
  expect(studies?.tenancy).toEqual({ kind: 'tenant', column: 'org' });
  expect(studies?.columns.get('start_date')?.type).toBe('date');
  expect(studies?.measures.has('total_enrollment')).toBe(true);
  const overview = loaded.project.dashboards.get('studies');
  const types = overview?.widgets.map((w) => w.type) ?? [];
  expect(types[0]).toBe('kpi');
  expect(types).toContain('line');
  expect(types).toContain('bar');
  expect(types.at(-1)).toBe('table');
  expect(overview?.filters.map((f) => f.type)).toContain('multi_select');
  // Demo organisations are the tenant column's values, so the demo admin sees rows.
  expect(readFileSync(path.join(dir, 'trellis.yaml'), 'utf8')).toMatch(/slug: atlas/);
});

test('from a folder of Parquet and CSV files: read into data/<folder>.duckdb, one dataset each', async () => {
  const folder = path.join(root, 'exports');
  await salesFilesFolder(folder);
  const dir = path.join(root, 'from-folder');
  const r = await init([dir, '--from', folder, '--shared', '--yes']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(existsSync(path.join(dir, 'data', 'exports.duckdb'))).toBe(true);
  expect(readdirSync(path.join(dir, 'datasets')).sort()).toEqual(['codes.yaml', 'orders.yaml', 'sales.yaml']);
  const sales = readFileSync(path.join(dir, 'dashboards', 'sales.yaml'), 'utf8');
  expect(sales).toMatch(/type: line, .*dimension: sold_on, grain: month/);
  expect(sales).toMatch(/id: by_region, type: bar/);
});

test('refuses a folder that is not empty, and an unknown table, writing nothing', async () => {
  const used = path.join(root, 'used');
  mkdirSync(used);
  copyFileSync(clinicalTrialsDb, path.join(used, 'x.duckdb'));
  const r = await init([used, '--from', clinicalTrialsDb, '--yes']);
  expect(r).toMatchObject({ code: 1 });
  expect(r.stderr).toMatch(/not empty/);
  const dir = path.join(root, 'unknown-table');
  const u = await init([dir, '--from', clinicalTrialsDb, '--tables', 'studys', '--shared']);
  expect(u.code).toBe(1);
  expect(u.stderr).toMatch(/no table "studys"/);
  expect(existsSync(path.join(dir, 'trellis.yaml'))).toBe(false);
});

const pgGate = await serviceGate('postgres', 'trellis init from PostgreSQL');
const myGate = await serviceGate('mysql', 'trellis init from MariaDB');

/** A public.sales-like table in a schema of its own (the server is shared with other test runs). */
const schema = `init_${process.pid}_${Date.now() % 100000}`;

describe.runIf(pgGate.available)('from PostgreSQL', () => {
  test('a schema-qualified table: table: <schema>.sales, url_env only, checks', async () => {
    const fixture = await pgSalesSchema(pgGate.url, schema);
    try {
      const dir = path.join(root, 'from-pg');
      const r = await init([
        dir,
        '--from',
        pgGate.url,
        '--tables',
        `${schema}.sales`,
        '--tenant-column',
        'org',
        '--url-env',
        'SALES_DB_URL',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const dataset = readFileSync(path.join(dir, 'datasets', `${schema}_sales.yaml`), 'utf8');
      expect(dataset).toContain(`table: ${schema}.sales`);
      expect(readFileSync(path.join(dir, 'trellis.yaml'), 'utf8')).toContain('url_env: SALES_DB_URL');
      expect(allText(dir)).not.toContain(pgGate.url);
      expect(allText(dir)).not.toContain('127.0.0.1');
    } finally {
      await fixture.drop();
    }
  });
});

describe.runIf(myGate.available)('from MariaDB', () => {
  test("the URL database's tables; checks", async () => {
    const table = `${schema}_sales`;
    const fixture = await mariadbSalesTable(myGate.url, table);
    try {
      const dir = path.join(root, 'from-mysql');
      const r = await init([dir, '--from', myGate.url, '--tables', table, '--shared']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(readFileSync(path.join(dir, 'datasets', `${table}.yaml`), 'utf8')).toContain(
        `table: ${table}\n`,
      );
      expect(allText(dir)).not.toContain(myGate.url);
    } finally {
      await fixture.drop();
    }
  });
});
